package dev.agentd.agentctl;

/** Canned agent records in the shape of docs/admin-api.md. */
final class Fixtures {
    private Fixtures() {}

    static final String RUNNING = """
            {"id": "a1b2c3d4", "name": "researcher", "state": "running", "pid": 12345, "uid": 61001,
             "created_at": "2026-11-22T00:00:00Z", "started_at": "2026-11-22T00:00:00.120Z",
             "exited_at": null, "exit_code": null, "exit_signal": null, "restarts": 0,
             "restart_policy": "never", "requested_by": 0,
             "dropped": ["landlock: IOCTL_DEV needs ABI 5", "seccomp: user notification unavailable"],
             "resources": {"memory_current": 123456, "memory_peak": 234567, "cpu_usage_usec": 1200,
                           "pids_current": 2, "oom_kills": 0},
             "manifest_path": "/etc/agentd/agents/researcher.yaml"}""";

    static final String EXITED_3 = """
            {"id": "a1b2c3d4", "name": "researcher", "state": "exited", "pid": null, "uid": 61001,
             "created_at": "2026-11-22T00:00:00Z", "started_at": "2026-11-22T00:00:00.120Z",
             "exited_at": "2026-11-22T00:01:00Z", "exit_code": 3, "exit_signal": null, "restarts": 1,
             "restart_policy": "on-failure", "requested_by": 0, "dropped": [],
             "resources": {"memory_current": null, "memory_peak": 234567, "cpu_usage_usec": 4210000,
                           "pids_current": 0, "oom_kills": 0},
             "manifest_path": null}""";

    static final String KILLED_9 = """
            {"id": "0badf00d", "name": "crawler", "state": "exited", "pid": null, "uid": 61002,
             "created_at": "2026-11-22T00:00:00Z", "started_at": "2026-11-22T00:00:01Z",
             "exited_at": "2026-11-22T00:02:00Z", "exit_code": null, "exit_signal": 9, "restarts": 0,
             "restart_policy": "never", "requested_by": 0, "dropped": [],
             "resources": {"memory_current": null, "memory_peak": 1073741824, "cpu_usage_usec": 90000000,
                           "pids_current": 0, "oom_kills": 1},
             "manifest_path": null}""";

    static final String DAEMON = """
            {"version": "0.1.0", "pid": 1, "uptime_seconds": 3, "agents_running": 1,
             "kernel": {"release": "6.18.0", "arch": "x86_64", "landlock_abi": 7, "seccomp": true,
                        "seccomp_user_notif": true, "cgroup_layout": "hybrid",
                        "cgroup_controllers": ["memory", "pids", "cpu"], "criu": null}}""";
}
