package main

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// dieWithParent asks Linux to SIGTERM this process when the launcher that started it dies, even by
// SIGKILL (a killed vitest run, a cancelled CI job): a leftover control plane would otherwise keep
// using CPU and ports on a machine other engineers share.
func dieWithParent() {
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0)
	// The parent may have died before the prctl above took effect; then we were re-parented already.
	if os.Getppid() == 1 {
		os.Exit(1)
	}
}
