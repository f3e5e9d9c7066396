"""The API's own Prometheus metrics, rendered in the text exposition format (version 0.0.4).

Labels are bounded on purpose: the route *template* (``/v1/state/{contract}/{key:path}``),
never the raw path, so a scanner walking random URLs cannot grow the series without bound.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

LATENCY_BUCKETS_S: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)

UNMATCHED_ROUTE = "unmatched"


@dataclass(slots=True)
class _Histogram:
    buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS_S))
    total: float = 0.0
    count: int = 0

    def observe(self, seconds: float) -> None:
        for i, bound in enumerate(LATENCY_BUCKETS_S):
            if seconds <= bound:
                self.buckets[i] += 1
        self.total += seconds
        self.count += 1


class ApiMetrics:
    """Requests by route, method and status; errors by code; latency by route."""

    def __init__(self) -> None:
        self._requests: Counter[tuple[str, str, int]] = Counter()
        self._errors: Counter[str] = Counter()
        self._latency: dict[str, _Histogram] = {}

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self._requests[(route, method, status)] += 1
        self._latency.setdefault(route, _Histogram()).observe(max(seconds, 0.0))

    def observe_error(self, code: str) -> None:
        self._errors[code] += 1

    def requests(self, route: str, method: str, status: int) -> int:
        return self._requests[(route, method, status)]

    def errors(self, code: str) -> int:
        return self._errors[code]

    def render(self) -> str:
        """The exposition text, series sorted so scrapes diff cleanly."""
        lines = [
            "# HELP rxl_api_requests_total HTTP requests answered, by route template and status.",
            "# TYPE rxl_api_requests_total counter",
        ]
        for (route, method, status), n in sorted(self._requests.items()):
            labels = _labels(route=route, method=method, status=str(status))
            lines.append(f"rxl_api_requests_total{labels} {n}")
        lines += [
            "# HELP rxl_api_errors_total Errors answered (requests and batch items), by code.",
            "# TYPE rxl_api_errors_total counter",
        ]
        lines += [
            f"rxl_api_errors_total{_labels(code=c)} {n}" for c, n in sorted(self._errors.items())
        ]
        lines += [
            "# HELP rxl_api_request_duration_seconds Time to answer a request, by route template.",
            "# TYPE rxl_api_request_duration_seconds histogram",
        ]
        for route, hist in sorted(self._latency.items()):
            lines += _histogram_lines("rxl_api_request_duration_seconds", route, hist)
        return "\n".join(lines) + "\n"


def _histogram_lines(name: str, route: str, hist: _Histogram) -> list[str]:
    lines = [
        f"{name}_bucket{_labels(route=route, le=_number(bound))} {n}"
        for bound, n in zip(LATENCY_BUCKETS_S, hist.buckets, strict=True)
    ]
    lines.append(f"{name}_bucket{_labels(route=route, le='+Inf')} {hist.count}")
    lines.append(f"{name}_sum{_labels(route=route)} {_number(hist.total)}")
    lines.append(f"{name}_count{_labels(route=route)} {hist.count}")
    return lines


def _labels(**labels: str) -> str:
    inner = ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items())
    return "{" + inner + "}"


def _escape(value: str) -> str:
    # The exposition format escapes exactly these three in label values.
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return repr(float(value))
