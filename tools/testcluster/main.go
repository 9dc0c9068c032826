// Command testcluster is a real Kubernetes control plane for the tests: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler, built from the upstream sources at pinned versions.
//
// One binary, one component per process: `testcluster <component> [flags]`. Each Kubernetes component
// registers its flags, metrics (the legacy Prometheus registry), feature gates and klog settings in
// process-wide globals, and they were never meant to share a process; running them as separate
// processes from one binary keeps them exactly as upstream runs them while building (and caching)
// once. The TypeScript launcher (packages/testcluster) starts and stops the processes.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

const usage = `usage: testcluster <command> [flags]

commands:
  pki                       write the cluster's certificates and keys into a directory
  etcd                      run an embedded etcd member
  kube-apiserver            run kube-apiserver (upstream flags)
  kube-controller-manager   run kube-controller-manager (upstream flags)
  kube-scheduler            run kube-scheduler (upstream flags)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	command, args := os.Args[1], os.Args[2:]
	if command != "pki" {
		dieWithParent()
	}
	switch command {
	case "pki":
		exitOn(runPKI(args))
	case "etcd":
		exitOn(runEtcd(args))
	case "kube-apiserver":
		os.Exit(runUpstream(apiserver.NewAPIServerCommand(), args))
	case "kube-controller-manager":
		os.Exit(runUpstream(controllermanager.NewControllerManagerCommand(), args))
	case "kube-scheduler":
		os.Exit(runUpstream(scheduler.NewSchedulerCommand(), args))
	default:
		fmt.Fprintf(os.Stderr, "testcluster: unknown command %q\n\n%s", command, usage)
		os.Exit(2)
	}
}

// runUpstream runs a component's own cobra command the way its upstream main does (cli.Run sets up
// logging and flag normalisation), with the arguments after the subcommand name.
func runUpstream(command *cobra.Command, args []string) int {
	command.SetArgs(args)
	return cli.Run(command)
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "testcluster: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}
