"""What `contact_center.observability.traced` costs per call while Weave is off.

    python benchmarks/tracing_overhead.py

Times an awaited no-op coroutine, plain and wrapped by `traced`, before and after `import weave` (the
hook only imports nothing and checks `sys.modules` until Weave is loaded, then asks Weave for its client).
"""

from __future__ import annotations

import asyncio
import sys
import time

from ccsim.contact_center.observability import traced

CALLS = 200_000


async def plain() -> int:
    return 1


wrapped = traced("bench")(plain)


async def per_call_us(fn: object) -> float:
    call = fn  # type: ignore[assignment]
    started = time.perf_counter()
    for _ in range(CALLS):
        await call()  # type: ignore[operator]
    return (time.perf_counter() - started) / CALLS * 1e6


async def main() -> None:
    base = await per_call_us(plain)
    off = await per_call_us(wrapped)
    print(f"plain await:                 {base:.3f} us/call")
    print(f"traced, weave not imported:  {off:.3f} us/call (+{off - base:.3f})")
    import weave  # noqa: F401

    assert "weave" in sys.modules
    loaded = await per_call_us(wrapped)
    print(f"traced, weave imported, no client: {loaded:.3f} us/call (+{loaded - base:.3f})")


if __name__ == "__main__":
    asyncio.run(main())
