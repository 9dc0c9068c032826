package main

import (
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// dieWithParent ends this process when the launcher that started it dies, even by SIGKILL (a killed
// vitest run, a cancelled CI job): a leftover control plane would otherwise keep using CPU and ports on
// a machine other engineers share.
//
// PR_SET_PDEATHSIG alone is not enough in Go: the kernel keeps it per thread, and the Go runtime may
// retire the thread that set it (kube-apiserver survived its parent that way). So a watchdog also
// polls the parent pid: once it changes, SIGTERM (the component's own graceful shutdown), then a hard
// exit if that does not finish.
func dieWithParent() {
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0)
	parent := os.Getppid()
	// The launcher passes its pid, so a launcher that died before we got here is noticed too (and a
	// launcher that is pid 1, a container's init, is not mistaken for a dead one).
	if expected, err := strconv.Atoi(os.Getenv("TESTCLUSTER_PARENT_PID")); err == nil {
		parent = expected
	}
	go func() {
		for range time.Tick(time.Second) {
			if os.Getppid() == parent {
				continue
			}
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(15 * time.Second)
			os.Exit(1)
		}
	}()
}
