"""The API's routers, one module per resource; each is built from an ``ApiContext``."""
