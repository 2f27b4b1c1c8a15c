// Linux kernel interfaces that Glibc's Swift module map leaves out (epoll, eventfd, TCP options).
#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
// accept4 is a GNU extension that the headers hide without _GNU_SOURCE.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
static inline int clinux_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}
#endif
