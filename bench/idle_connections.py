#!/usr/bin/env python3
"""Opens N keep-alive connections to HOST:PORT, makes one request on each, keeps them all open, and prints the
server's RSS (from /proc/PID/status) before and after. Usage: idle_connections.py PORT PID [N]"""
import resource, socket, sys, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1024), hard))
    before = rss_kib(pid)
    sockets, failed = [], 0
    request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)
        data = b""
        while not data.endswith(b'{"status":"ok"}'):
            chunk = s.recv(4096)
            if not chunk:
                failed += 1
                break
            data += chunk
        sockets.append(s)
    time.sleep(1.0)
    after = rss_kib(pid)
    print(f"idle_rss_mib={before/1024:.1f} rss_with_{count}_idle_mib={after/1024:.1f} failed={failed}")
    for s in sockets:
        s.close()

if __name__ == "__main__":
    main()
