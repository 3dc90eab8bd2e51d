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

#endif
