#ifndef MANAGESIEVED_CLINUX_SHIM_H
#define MANAGESIEVED_CLINUX_SHIM_H
/* Linux/glibc calls that Swift's Glibc module does not expose (they need _GNU_SOURCE), declared with
   their C prototypes so Swift calls them with the C calling convention. uid_t and gid_t are
   unsigned int on Linux; they are spelled out so this module exports no types of its own. */

extern int setresuid(unsigned int ruid, unsigned int euid, unsigned int suid);
extern int setresgid(unsigned int rgid, unsigned int egid, unsigned int sgid);
extern int getresuid(unsigned int *ruid, unsigned int *euid, unsigned int *suid);
extern int getresgid(unsigned int *rgid, unsigned int *egid, unsigned int *sgid);
extern int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
/* glibc 2.34: close every descriptor from `from` up in a posix_spawn child (the actions object is
   posix_spawn_file_actions_t, passed untyped here). */
extern int posix_spawn_file_actions_addclosefrom_np(void *actions, int from);
extern int pipe2(int pipefd[2], int flags);

#endif
