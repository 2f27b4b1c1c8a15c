#!/usr/bin/env python3
"""What the commits in a write-ahead log wrote: pages per commit, by table or index.

Usage: wal_pages.py DB WAL   (copies of the gateway's switchboard.db and switchboard.db-wal, taken while it is
not writing; the copies are read, never the live files)

Every commit syncs the pages it wrote, so pages per commit is what each durable write costs the disk. Only the
frames since the log last started over are counted (those carrying the header's salt).
"""
import collections
import sqlite3
import struct
import sys


def commits(wal_path):
    data = open(wal_path, "rb").read()
    if len(data) < 32:
        return []
    _, _, page_size, _, salt1, salt2, _, _ = struct.unpack(">8I", data[:32])
    found, current, offset = [], [], 32
    while offset + 24 + page_size <= len(data):
        page, size_after_commit, frame_salt1, frame_salt2 = struct.unpack(">4I", data[offset:offset + 16])
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            break
        current.append(page)
        if size_after_commit:  # the last frame of a commit
            found.append(current)
            current = []
        offset += 24 + page_size
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    found = commits(sys.argv[2])  # read before connecting: closing the connection may checkpoint the copy
    connection = sqlite3.connect(sys.argv[1])
    owner = {page: name for name, page in connection.execute("SELECT name, pageno FROM dbstat")}
    connection.close()
    if not found:
        print("no commits in the log")
        return
    by_owner = collections.Counter(owner.get(page, "(new or free)") for commit in found for page in commit)
    frames = sum(by_owner.values())
    print(f"{len(found)} commits, {frames / len(found):.1f} pages per commit:",
          ", ".join(f"{name} {count / len(found):.2f}" for name, count in by_owner.most_common()))
    touching = sum(1 for commit in found if any(owner.get(page) == "webhook_deliveries" for page in commit))
    print(f"commits writing delivery rows: {touching} of {len(found)}")


if __name__ == "__main__":
    main()
