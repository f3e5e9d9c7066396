"""`rxl bench`: drive a running rxledger network and measure it (DESIGN.md, Performance).

The pieces, each with one job:

- :mod:`bench.consortium` finds the chain id, the nodes' API addresses and the members'
  keys in a consortium folder (`rxl network init --dir`);
- :mod:`bench.plan` describes the work: transactions to sign, requests to send;
- :mod:`bench.worker` is one load process: it signs its share before the clock starts, then
  submits with one HTTP client of its own;
- :mod:`bench.engine` starts the workers, releases them together and merges what they saw;
- :mod:`bench.setup` prepares ledger state through the API (products, released batches,
  commissioned and delivered codes) so the measured transactions are valid;
- :mod:`bench.scenarios` holds one module per benchmark;
- :mod:`bench.report` renders a result as a table or JSON.
"""
