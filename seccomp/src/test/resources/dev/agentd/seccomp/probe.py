# In-sandbox probe for SeccompIT: tries what the agent-default profile must
# allow and refuse, from inside the filtered process, and prints one line per
# check: "<label> <ok|ERRNO-NAME|text>". Syscall numbers come from the test
# (env NR_<name>), which takes them from dev.agentd.linux.Arch.
#
# Every refused call is given arguments that would fail harmlessly (or do
# nothing lasting) if the filter let it through, and with a different errno,
# so EPERM can only come from the filter. Calls that change this process
# (unshare, personality) come last.
import ctypes
import errno
import os
import subprocess
import sys
import threading

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
MASK = 0xFFFFFFFFFFFFFFFF


def nr(name):
    return int(os.environ["NR_" + name])


def call(label, number, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(number), *[ctypes.c_ulong(a & MASK) for a in args])
    if r == -1:
        e = ctypes.get_errno()
        print(label, errno.errorcode.get(e, str(e)), flush=True)
    else:
        print(label, "ok", flush=True)


# Normal work: fork, a thread (pthread_create tries clone3 first, then clone),
# running programs.
pid = os.fork()
if pid == 0:
    os._exit(7)
_, status = os.waitpid(pid, 0)
print("fork", "ok" if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7 else "bad", flush=True)
box = []
t = threading.Thread(target=lambda: box.append(1))
t.start()
t.join()
print("thread", "ok" if box == [1] else "bad", flush=True)
print("cat", subprocess.run(["/bin/cat", sys.argv[1]], capture_output=True).stdout.decode().strip(), flush=True)
print("sh", subprocess.run(["/bin/sh", "-c", "echo $((6 * 7)) | /bin/cat"], capture_output=True).stdout.decode().strip(),
      flush=True)
coreutils = "mkdir -p d && echo x > d/f && cp d/f d/g && chmod 600 d/g && ls d | tr '\\n' ' ' && rm -r d"
print("coreutils", subprocess.run(["/bin/sh", "-c", coreutils], capture_output=True).stdout.decode().strip(), flush=True)
for line in open("/proc/self/status"):
    key = line.split(":")[0]
    if key in ("Seccomp", "NoNewPrivs"):
        print(key, line.split()[1], flush=True)

call("getpid", nr("getpid"))
call("setresuid", nr("setresuid"), -1, -1, -1)            # no change: allowed
call("prctl", nr("prctl"), 39, 0, 0, 0, 0)                 # PR_GET_NO_NEW_PRIVS
call("seccomp", nr("seccomp"), 2, 0, 0)                    # SECCOMP_GET_ACTION_AVAIL, NULL: EFAULT if allowed
call("socket_unix", nr("socket"), 1, 1, 0)                 # AF_UNIX, SOCK_STREAM
call("socket_alg", nr("socket"), 38, 5, 0)                 # AF_ALG
call("ioctl_TCGETS", nr("ioctl"), 0, 0x5401, 0)            # stdin is /dev/null: ENOTTY, i.e. allowed
call("ioctl_TIOCSTI", nr("ioctl"), 0, 0x5412, 0)           # ENOTTY if allowed
call("ioctl_TIOCSTI_high", nr("ioctl"), 0, 0x100005412, 0)
call("clone3", nr("clone3"), 0, 0)                         # EINVAL if allowed (size 0)
call("clone_newnet", nr("clone"), 0x40000000 | 0x00010000, 0, 0, 0, 0)  # NEWNET|THREAD without SIGHAND: EINVAL if allowed
call("setns", nr("setns"), -1, 0)                          # EBADF if allowed
call("mount", nr("mount"), 0, 0, 0, 0, 0)                  # EFAULT if allowed
call("umount2", nr("umount2"), 0, 0)                       # EFAULT if allowed
call("ptrace", nr("ptrace"), 16, 0x7fffffff, 0, 0)         # PTRACE_ATTACH to no such pid: ESRCH if allowed
call("bpf", nr("bpf"), 0xffff, 0, 0)                       # no such command: EINVAL if allowed
call("keyctl", nr("keyctl"), 0, -3, 0)                     # KEYCTL_GET_KEYRING_ID of the session keyring
call("io_uring_setup", nr("io_uring_setup"), 0, 0)         # EINVAL/EFAULT if allowed
call("userfaultfd", nr("userfaultfd"), 0xffffffff)         # bad flags: EINVAL if allowed
call("perf_event_open", nr("perf_event_open"), 0, 0, -1, -1, 0)  # EFAULT if allowed
call("personality_query", nr("personality"), 0xffffffff)
call("unshare", nr("unshare"), 0x10000000)                 # CLONE_NEWUSER
call("personality_0x1234", nr("personality"), 0x1234)
