/**
 * Real-looking auditd log lines, WRITTEN BY HAND for tests (not captured from a host): the field
 * order, hex encoding of untrusted strings and saddr layouts follow what the kernel's audit code
 * prints (kernel/auditsc.c audit_log_exit, audit_log_untrustedstring).
 */

export const EXECVE_LS = [
  'type=SYSCALL msg=audit(1700000000.123:4242): arch=c000003e syscall=59 success=yes exit=0 a0=55d5c0a3b2a0 a1=55d5c0a3b300 a2=55d5c0a3b318 a3=8 items=2 ppid=1000 pid=1001 auid=1000 uid=1000 gid=1001 euid=1002 suid=1003 fsuid=1004 egid=1005 sgid=1006 fsgid=1007 tty=pts0 ses=3 comm="ls" exe="/usr/bin/ls" subj=unconfined key="tsem"',
  'type=EXECVE msg=audit(1700000000.123:4242): argc=2 a0="ls" a1="-l"',
  'type=CWD msg=audit(1700000000.123:4242): cwd="/home/user"',
  'type=PATH msg=audit(1700000000.123:4242): item=0 name="/usr/bin/ls" inode=1835 dev=08:03 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0',
  'type=PATH msg=audit(1700000000.123:4242): item=1 name="/lib64/ld-linux-x86-64.so.2" inode=2101 dev=08:03 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0',
  'type=PROCTITLE msg=audit(1700000000.123:4242): proctitle=6C73002D6C',
  'type=EOE msg=audit(1700000000.123:4242): ',
];

export const CONNECT_INET = [
  'type=SYSCALL msg=audit(1700000001.500:4243): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd8f1c2a30 a2=10 a3=0 items=0 ppid=1000 pid=1002 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="curl" exe="/usr/bin/curl" subj=unconfined key="tsem"',
  'type=SOCKADDR msg=audit(1700000001.500:4243): saddr=020000507F0000010000000000000000',
  'type=PROCTITLE msg=audit(1700000001.500:4243): proctitle=6375726C00687474703A2F2F3132372E302E302E312F',
  'type=EOE msg=audit(1700000001.500:4243): ',
];

/** openat(AT_FDCWD, "my file.txt", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC): the name has a space,
 * so the kernel prints it hex-encoded and bare. */
export const OPENAT_CREATE = [
  'type=SYSCALL msg=audit(1700000002.001:4244): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=5581e0c4a2b0 a2=80241 a3=1b6 items=2 ppid=1000 pid=1003 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="touch" exe="/usr/bin/touch" subj=unconfined key="tsem"',
  'type=CWD msg=audit(1700000002.001:4244): cwd="/home/user"',
  'type=PATH msg=audit(1700000002.001:4244): item=0 name="/home/user/" inode=262145 dev=08:03 mode=040755 ouid=1000 ogid=1000 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0',
  'type=PATH msg=audit(1700000002.001:4244): item=1 name=6D792066696C652E747874 inode=262200 dev=08:03 mode=0100644 ouid=1000 ogid=1000 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0',
  'type=PROCTITLE msg=audit(1700000002.001:4244): proctitle=746F756368006D792066696C652E747874',
  'type=EOE msg=audit(1700000002.001:4244): ',
];

export const FAILED_OPEN = [
  'type=SYSCALL msg=audit(1700000002.100:4245): arch=c000003e syscall=257 success=no exit=-2 a0=ffffff9c a1=7f3a1c2b3c40 a2=80000 a3=0 items=1 ppid=1000 pid=1003 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="touch" exe="/usr/bin/touch" subj=unconfined key="tsem"',
  'type=CWD msg=audit(1700000002.100:4245): cwd="/home/user"',
  'type=PATH msg=audit(1700000002.100:4245): item=0 name="/usr/share/locale/en/LC_MESSAGES/coreutils.mo" nametype=UNKNOWN cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0',
  'type=EOE msg=audit(1700000002.100:4245): ',
];

export const KILL_TERM = [
  'type=SYSCALL msg=audit(1700000003.000:4246): arch=c000003e syscall=62 success=yes exit=0 a0=3ea a1=f a2=0 a3=7f00 items=0 ppid=1000 pid=1004 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="kill" exe="/usr/bin/kill" subj=unconfined key="tsem"',
  'type=OBJ_PID msg=audit(1700000003.000:4246): opid=1002 oauid=1000 ouid=1000 oses=3 obj=unconfined ocomm="curl"',
  'type=EOE msg=audit(1700000003.000:4246): ',
];

export const PTRACE_ATTACH = [
  'type=SYSCALL msg=audit(1700000003.500:4247): arch=c000003e syscall=101 success=yes exit=0 a0=10 a1=3ea a2=0 a3=0 items=0 ppid=1000 pid=1005 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="gdb" exe="/usr/bin/gdb" subj=unconfined key="tsem"',
  'type=OBJ_PID msg=audit(1700000003.500:4247): opid=1002 oauid=1000 ouid=1000 oses=3 obj=unconfined ocomm="curl"',
  'type=EOE msg=audit(1700000003.500:4247): ',
];

export const MOUNT_TMPFS = [
  'type=SYSCALL msg=audit(1700000004.000:4248): arch=c000003e syscall=165 success=yes exit=0 a0=55f0d1e2a4c0 a1=55f0d1e2a4e0 a2=55f0d1e2a500 a3=6 items=1 ppid=1000 pid=1006 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="mount" exe="/usr/bin/mount" subj=unconfined key="tsem"',
  'type=CWD msg=audit(1700000004.000:4248): cwd="/root"',
  'type=PATH msg=audit(1700000004.000:4248): item=0 name="/mnt/data" inode=131073 dev=08:03 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0',
  'type=PROCTITLE msg=audit(1700000004.000:4248): proctitle=6D6F756E74002D7400746D7066730074',
  'type=EOE msg=audit(1700000004.000:4248): ',
];

export const BIND_INET6 = [
  'type=SYSCALL msg=audit(1700000005.000:4249): arch=c000003e syscall=49 success=yes exit=0 a0=4 a1=7ffc1a2b3c40 a2=1c a3=0 items=0 ppid=1 pid=1007 auid=4294967295 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 comm="nginx" exe="/usr/sbin/nginx" subj=unconfined key="tsem"',
  'type=SOCKADDR msg=audit(1700000005.000:4249): saddr=0A001F90000000000000000000000000000000000000000100000000',
  'type=EOE msg=audit(1700000005.000:4249): ',
];

export const INIT_MODULE = [
  'type=SYSCALL msg=audit(1700000006.000:4250): arch=c000003e syscall=175 success=yes exit=0 a0=7f2b3c4d5000 a1=2a3b8 a2=55d0e1f2a3b4 a3=0 items=0 ppid=1000 pid=1008 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="insmod" exe="/usr/bin/kmod" subj=unconfined key="tsem"',
  'type=EOE msg=audit(1700000006.000:4250): ',
];

/** A single-record event (no SYSCALL, no EOE): parsed, then ignored by the mapper. */
export const USER_LOGIN = [
  'type=USER_LOGIN msg=audit(1700000007.000:4251): pid=900 uid=0 auid=1000 ses=3 subj=unconfined msg=\'op=login id=1000 exe="/usr/sbin/sshd" hostname=? addr=127.0.0.1 terminal=/dev/pts/0 res=success\'',
];
