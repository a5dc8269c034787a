"""Worker processes: a run's episodes played in N processes, each with its own event loop (issue 10).

The parent keeps the run's one concurrency loop (`agents/runner.py::run_episodes`), its abort check and its
one writer (the run folder); only the playing moves out. Each lane of the loop hands its job to the least
busy worker, so every worker holds its share of the concurrency. Parent and worker speak length-prefixed
pickle frames over two pipes: jobs out, finished episodes back, each with its two run-folder lines already
serialised, so the parent only writes them, as they arrive: a killed worker loses no finished episode.
The jobs a dead worker held go to another worker once (a replacement is started); a job whose second
worker dies too is recorded as a failed episode naming the cause. A worker whose parent dies sees its
input pipe close and exits.

How a worker starts (`StartMethod`):
- "fork" (Linux): a fork of the parent, ready in milliseconds with everything imported (ART included, for
  the trajectories) and everything the run needs in memory: plug-ins, reward functions, a planner object;
  nothing is pickled. The worker never touches the parent's event loop (it starts its own; HTTP clients
  are per loop, agents/http_clients.py) and ends with os._exit.
- "exec" (elsewhere): a fresh `python -c` that imports ccsim (seconds) and unpickles the context
  (cloudpickle when installed, so functions a script defined travel by value). What cannot be pickled
  keeps the run in one process, with the reason (`WorkerPlan.reason`). Its fd 1 points at stderr, so a
  `print` in a plug-in cannot corrupt the frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import multiprocessing
import os
import pickle
import resource
import signal
import struct
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from ccsim.agents.registry import CUSTOMERS, HELPERS, PLANNERS, PlannerModel
from ccsim.agents.runner import EpisodeJob, RunSettings, failed_episode, play_job
from ccsim.api.gc_tuning import tune_worker_gc
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.run_folder import EpisodeLines

# The automatic count adds a worker only per this many episodes: a short run (a test, the demo) gains
# nothing from a second process, and an "exec" worker costs seconds of CPU to start.
EPISODES_PER_AUTO_WORKER = 500
_HEADER = struct.Struct(">Q")
_EXEC_MAIN = "from ccsim.api.workers import serve; serve()"

StartMethod = Literal["fork", "exec"]


class WorkerDiedError(RuntimeError):
    """A worker process ended while it still held episodes."""


class WorkerJobError(RuntimeError):
    """A worker could not play or serialise a job (run_episode itself records an episode's own failures)."""


class Finished(NamedTuple):
    """One played episode and its run-folder lines, as a worker hands it back."""

    episode: Episode
    lines: EpisodeLines


def dumps(value: Any) -> bytes:
    """Pickle for another interpreter: by value for functions and classes a script defined, when cloudpickle
    is installed (Ray's own serializer), else by reference."""
    try:
        cloudpickle = importlib.import_module("cloudpickle")  # untyped; optional (gymnasium and Ray bring it)
    except ImportError:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return bytes(cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


@dataclass
class WorkerContext:
    """Everything a worker needs to play the run's jobs exactly as the parent would."""

    settings: RunSettings
    planner_model: PlannerModel | None = None
    prices: PriceTable | None = None
    trajectories: bool = False
    # role -> kind -> builder: the kinds registered in the parent (plug-ins included) at the run's start
    builders: dict[str, dict[str, Callable[..., Any]]] = field(default_factory=dict)


def _registries() -> dict[str, Any]:
    return {"planner": PLANNERS, "customer": CUSTOMERS, "helper": HELPERS}


def registered_builders() -> dict[str, dict[str, Callable[..., Any]]]:
    return {
        role: {kind: registry.builder(ModelSpec(kind=kind)) for kind in registry.kinds()}
        for role, registry in _registries().items()
    }


def install_builders(builders: dict[str, dict[str, Callable[..., Any]]]) -> None:
    registries = _registries()
    for role, kinds in builders.items():
        for kind, builder in kinds.items():
            registries[role].register(kind, builder, replace=True)


def default_start() -> StartMethod:
    return "fork" if sys.platform == "linux" else "exec"


class WorkerPlan(NamedTuple):
    """How many processes a run uses, how they start, what they get, and why fewer than asked for."""

    workers: int
    start: StartMethod
    context: WorkerContext | None = None
    shipped: bytes | None = None  # the context pickled, for "exec" workers
    reason: str | None = None


def auto_workers(requested: int | None, *, episodes: int, concurrency: int) -> int:
    """The processes for a run: `requested`, or by default one per core, but never more than the run can use:
    one per episode in flight at once, and (by default only) one per EPISODES_PER_AUTO_WORKER episodes."""
    if requested is None:
        wanted = min(os.cpu_count() or 1, max(1, -(-episodes // EPISODES_PER_AUTO_WORKER)))
    else:
        wanted = requested
    return max(1, min(wanted, concurrency, max(episodes, 1)))


def plan_workers(
    requested: int | None,
    *,
    episodes: int,
    settings: RunSettings,
    planner_model: PlannerModel | None,
    prices: PriceTable | None,
    trajectories: bool,
    start: StartMethod | None = None,
) -> WorkerPlan:
    """Decide the worker count and how they start; for "exec", pickle the context (anything that cannot
    travel keeps the run in one process, with the reason)."""
    count = auto_workers(requested, episodes=episodes, concurrency=settings.concurrency)
    start = start or default_start()
    if count == 1:
        return WorkerPlan(1, start)
    context = WorkerContext(
        settings=settings,
        planner_model=planner_model,
        prices=prices,
        trajectories=trajectories,
        builders=registered_builders() if start == "exec" else {},
    )
    if start == "fork":
        return WorkerPlan(count, start, context)
    try:
        return WorkerPlan(count, start, context, dumps(context))
    except Exception as exc:  # pickling fails in many ways (locks, sockets, local functions)
        what = "the planner object" if planner_model is not None else "the run's settings or a registered plug-in"
        reason = f"{what} cannot be sent to worker processes ({type(exc).__name__}: {exc}); playing in one process"
        return WorkerPlan(1, start, reason=reason)


# ---- the worker's side ---------------------------------------------------------------------------------


def _trajectory_line(episode: Episode) -> str:
    from ccsim.training.trajectory import episode_to_trajectory
    from ccsim.training.trajectory_io import dumps_trajectory

    return dumps_trajectory(episode_to_trajectory(episode))


class EpisodePlayer:
    """Plays one job of a run as the parent would, and serialises its lines: the body of every worker (a
    local process here, a Ray actor in ccsim/api/ray_runner.py)."""

    def __init__(self, context: WorkerContext) -> None:
        install_builders(context.builders)
        self.context = context
        settings = context.settings
        self._planner: ModelSpec | PlannerModel = (
            context.planner_model if context.planner_model is not None else settings.planner
        )

    async def play(self, job: EpisodeJob) -> Finished:
        episode = await play_job(job, self.context.settings, planner=self._planner, prices=self.context.prices)
        trajectory = _trajectory_line(episode) if self.context.trajectories else None
        return Finished(episode, EpisodeLines(episode.model_dump_json(), trajectory))


def raise_fd_limit() -> None:
    """Raise the open-files soft limit to the hard limit: 1,024 episodes in flight hold over 1,024 sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    (length,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    return await reader.readexactly(length)


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


async def _pipes(read_fd: int, write_fd: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", buffering=0))
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(write_fd, "wb", buffering=0)
    )
    return reader, asyncio.StreamWriter(transport, protocol, None, loop)


def serve() -> None:
    """An "exec" worker's main: play the jobs the parent sends on stdin until it closes."""
    frames_out = os.dup(1)
    os.dup2(2, 1)  # a stray print goes to stderr, never into the frames
    sys.stdout = sys.stderr
    raise_fd_limit()
    asyncio.run(_serve(0, frames_out, None))


def _forked_main(read_fd: int, write_fd: int, close_fds: list[int], context: WorkerContext) -> None:
    """A "fork" worker's main: leave the parent's loop, its pipes to other workers and its signals alone."""
    for fd in close_fds:  # else a sibling's input pipe never sees EOF while this worker lives
        with contextlib.suppress(OSError):
            os.close(fd)
    asyncio.events._set_running_loop(None)  # the fork copied the parent's running loop into this thread
    signal.set_wakeup_fd(-1)  # the parent loop's wake-up socket is shared with the parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it closes our pipe
    asyncio.run(_serve(read_fd, write_fd, EpisodePlayer(context)))


async def _serve(read_fd: int, write_fd: int, player: EpisodePlayer | None) -> None:
    reader, writer = await _pipes(read_fd, write_fd)
    forked = player is not None
    if player is None:
        try:
            sys.path[:] = json.loads(await _read_frame(reader))  # before unpickling: plug-ins import by name
            player = EpisodePlayer(pickle.loads(await _read_frame(reader)))
        except asyncio.IncompleteReadError:
            return
    tune_worker_gc(collect=not forked)  # started: what exists now lives as long as the worker
    tasks: set[asyncio.Task[None]] = set()

    async def play(request: int, job: EpisodeJob) -> None:
        answer: Finished | str
        try:
            answer = await player.play(job)
        except Exception as exc:  # the parent must hear back about every job, or its lane would wait forever
            answer = f"{type(exc).__name__}: {exc}"
        writer.write(_frame(pickle.dumps((request, answer), protocol=pickle.HIGHEST_PROTOCOL)))
        await writer.drain()

    try:
        while True:
            try:
                request, job = pickle.loads(await _read_frame(reader))
            except asyncio.IncompleteReadError:
                break  # the parent closed our input (done, or dead): stop
            task = asyncio.ensure_future(play(request, job))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        writer.close()


# ---- the parent's side ---------------------------------------------------------------------------------


def _death(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with code {returncode}"


class _Worker:
    """The parent's handle on one worker process: jobs out, finished episodes back, matched by request id."""

    def __init__(
        self,
        pid: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        wait: Callable[[], Any],
        kill: Callable[[], None],
        fds: tuple[int, ...] = (),
    ) -> None:
        self.pid = pid
        self.fds = fds  # this side's pipe ends while they are open: a later fork must close its copies
        self.reader = reader
        self.writer = writer
        self._wait = wait  # -> awaitable of the exit code
        self._kill = kill
        self.pending: dict[int, asyncio.Future[Finished]] = {}
        self.alive = True
        self._requests = 0
        self._listening = asyncio.ensure_future(self._listen())

    async def send(self, payload: bytes) -> None:
        self.writer.write(_frame(payload))
        await self.writer.drain()

    async def call(self, job: EpisodeJob) -> Finished:
        if not self.alive:
            raise WorkerDiedError(f"worker process {self.pid} had already ended")
        self._requests += 1
        request = self._requests
        future: asyncio.Future[Finished] = asyncio.get_running_loop().create_future()
        self.pending[request] = future
        try:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the listener reports the death
                await self.send(pickle.dumps((request, job), protocol=pickle.HIGHEST_PROTOCOL))
            return await future
        finally:
            self.pending.pop(request, None)

    async def _listen(self) -> None:
        try:
            while True:
                request, answer = pickle.loads(await _read_frame(self.reader))
                future = self.pending.get(request)
                if future is None or future.done():
                    continue  # its lane was cancelled (the run stopped early)
                if isinstance(answer, str):
                    future.set_exception(WorkerJobError(answer))
                else:
                    future.set_result(answer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.alive = False
            self.writer.close()
            self.fds = ()
            returncode = await self._wait()
            error = WorkerDiedError(f"worker process {self.pid} {_death(returncode)} while playing this episode")
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(error)

    async def close(self, grace_s: float) -> None:
        self.writer.close()  # the worker sees EOF, cancels what it still plays and exits
        try:
            await asyncio.wait_for(asyncio.shield(self._listening), grace_s)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self._kill()
            await asyncio.gather(self._listening, return_exceptions=True)


async def _start_exec(shipped: bytes) -> _Worker:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _EXEC_MAIN, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    writer = process.stdin
    reader = process.stdout
    worker = _Worker(process.pid, reader, writer, process.wait, process.kill)
    await worker.send(json.dumps(sys.path).encode())
    await worker.send(shipped)
    return worker


async def _start_fork(context: WorkerContext, siblings: list[_Worker]) -> _Worker:
    jobs_read, jobs_write = os.pipe()
    answers_read, answers_write = os.pipe()
    inherited = [fd for sibling in siblings for fd in sibling.fds]  # only the ends open right now
    process = multiprocessing.get_context("fork").Process(
        target=_forked_main,
        args=(jobs_read, answers_write, [*inherited, jobs_write, answers_read], context),
        daemon=True,
        name="ccsim-worker",
    )
    process.start()
    os.close(jobs_read)
    os.close(answers_write)
    reader, writer = await _pipes(answers_read, jobs_write)

    async def wait() -> int | None:
        await asyncio.to_thread(process.join)
        return process.exitcode

    assert process.pid is not None
    return _Worker(process.pid, reader, writer, wait, process.kill, (jobs_write, answers_read))


class WorkerPool:
    """N worker processes behind one `play(job)`, for `run_episodes(play=...)`. Use `async with`."""

    def __init__(self, plan: WorkerPlan) -> None:
        assert plan.context is not None
        self.plan = plan
        self.context = plan.context
        self.workers: list[_Worker] = []
        self.replacements = plan.workers  # a dead worker is replaced, but not endlessly
        # episode id -> its serialised lines, from the worker's answer to the run folder's append
        self.lines: dict[str, EpisodeLines] = {}

    @property
    def pids(self) -> list[int]:
        return [worker.pid for worker in self.workers if worker.alive]

    async def _start(self) -> _Worker:
        if self.plan.start == "fork":
            worker = await _start_fork(self.context, self.workers)
        else:
            assert self.plan.shipped is not None
            worker = await _start_exec(self.plan.shipped)
        self.workers.append(worker)
        return worker

    async def __aenter__(self) -> WorkerPool:
        raise_fd_limit()
        if self.plan.start == "fork" and self.context.trajectories:
            # Imported once here rather than once in every worker (ART takes seconds to import).
            import ccsim.training.trajectory
            import ccsim.training.trajectory_io  # noqa: F401
        for _ in range(self.plan.workers):  # one at a time: each fork must see the previous one's pipes
            await self._start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(worker.close(grace_s=10.0) for worker in self.workers))

    async def _least_busy(self) -> _Worker:
        alive = [worker for worker in self.workers if worker.alive]
        while len(alive) < self.plan.workers and self.replacements > 0:
            self.replacements -= 1
            alive.append(await self._start())
        if not alive:
            raise WorkerDiedError("every worker process has died and none is left to replace them")
        return min(alive, key=lambda worker: len(worker.pending))

    async def play(self, job: EpisodeJob) -> Episode:
        cause: Exception | None = None
        for _ in range(2):  # a job whose worker died is tried once more, on another worker
            try:
                finished = await (await self._least_busy()).call(job)
            except WorkerDiedError as exc:
                cause = exc
                continue
            except WorkerJobError as exc:
                cause = exc
                break
            self.lines[finished.episode.episode_id] = finished.lines
            return finished.episode
        settings = self.context.settings
        return failed_episode(
            job.scenario,
            trial=job.trial,
            error=f"{type(cause).__name__}: {cause}",
            planner_label=settings.planner.label,
            reward=settings.reward,
            prices=self.context.prices,
        )


@contextlib.asynccontextmanager
async def worker_pool(plan: WorkerPlan) -> AsyncIterator[WorkerPool | None]:
    """A pool for a plan of several workers; None (play in this process) for one."""
    if plan.workers <= 1 or plan.context is None:
        yield None
        return
    async with WorkerPool(plan) as pool:
        yield pool
