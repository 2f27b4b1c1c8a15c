#!/usr/bin/env python3
"""What one durable commit costs this machine's disk: the latency of `fdatasync` after writing N pages into a file
that is already allocated (as the gateway's write-ahead log is once it has started over), alone, with every core
kept busy by other processes, and with a second thread writing and syncing another file meanwhile (as the
checkpoint thread does). Every commit of the gateway waits for this call, so no commit's latency is below it.

Usage: bench/fsync_probe.py [DIR] [PAGES] [SYNCS]   (defaults: a temporary directory, 24 pages, 2000 syncs)
"""
import os
import subprocess
import sys
import tempfile
import threading
import time

PAGE = 4096


def percentiles(samples):
    samples = sorted(samples)
    n = len(samples)
    pick = lambda q: samples[min(n - 1, int(n * q))]
    return "p50=%.3f p90=%.3f p99=%.3f max=%.3f ms" % (pick(0.5) * 1e3, pick(0.9) * 1e3, pick(0.99) * 1e3, samples[-1] * 1e3)


def allocated(path, size):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    block = os.urandom(1 << 20)
    for offset in range(0, size, len(block)):
        os.pwrite(fd, block, offset)
    os.fsync(fd)
    return fd


def probe(fd, pages, syncs, span):
    data = os.urandom(PAGE * pages)
    offset, latencies = 0, []
    for _ in range(syncs):
        os.pwrite(fd, data, offset)
        offset = (offset + len(data)) % (span - len(data))
        started = time.perf_counter()
        os.fdatasync(fd)
        latencies.append(time.perf_counter() - started)
    return latencies


def busy_cores(count):
    # Busy 4 ms, idle 2 ms: two thirds of each core taken by processes at the same priority.
    loop = "import time\nwhile True:\n    t = time.time()\n    while time.time() - t < 0.004: pass\n    time.sleep(0.002)\n"
    return [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(count)]


def main():
    temporary = len(sys.argv) < 2
    directory = tempfile.mkdtemp(prefix="fsync-probe.") if temporary else sys.argv[1]
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 24
    syncs = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    span = 64 << 20
    log = allocated(os.path.join(directory, "log.bin"), span)
    print("fdatasync after %d pages (%d syncs each), %d cores:" % (pages, syncs, os.cpu_count()))
    print("  alone:                         " + percentiles(probe(log, pages, syncs, span)))

    hogs = busy_cores(os.cpu_count() or 2)
    try:
        time.sleep(0.3)
        print("  every core two-thirds busy:    " + percentiles(probe(log, pages, syncs, span)))
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()

    other = allocated(os.path.join(directory, "db.bin"), span)
    stop = threading.Event()

    def checkpoint_like():  # 200 scattered pages, then a sync, every 20 ms
        page, step = 0, 7919
        while not stop.is_set():
            for _ in range(200):
                page = (page + step) % (span // PAGE)
                os.pwrite(other, os.urandom(PAGE), page * PAGE)
            os.fsync(other)
            stop.wait(0.02)

    thread = threading.Thread(target=checkpoint_like, daemon=True)
    thread.start()
    try:
        print("  beside another file's syncs:   " + percentiles(probe(log, pages, syncs, span)))
    finally:
        stop.set()
        thread.join()
    for fd, name in ((log, "log.bin"), (other, "db.bin")):
        os.close(fd)
        os.unlink(os.path.join(directory, name))
    if temporary:
        os.rmdir(directory)


if __name__ == "__main__":
    main()
