package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// runEtcd runs one embedded etcd member (the version k8s.io/kubernetes itself pins) until SIGTERM.
// Debian's etcd-server is 3.4, older than kube-apiserver 1.37 supports, hence embedding it here.
func runEtcd(args []string) error {
	flags := flag.NewFlagSet("etcd", flag.ContinueOnError)
	dataDir := flags.String("data-dir", "", "directory for etcd's data (required)")
	clientURL := flags.String("listen-client-url", "http://127.0.0.1:2379", "URL clients (kube-apiserver) connect to")
	peerURL := flags.String("listen-peer-url", "http://127.0.0.1:2380", "URL of the single member's peer listener")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" {
		return errors.New("etcd: --data-dir is required")
	}
	client, err := url.Parse(*clientURL)
	if err != nil {
		return fmt.Errorf("etcd: --listen-client-url %q: %w", *clientURL, err)
	}
	peer, err := url.Parse(*peerURL)
	if err != nil {
		return fmt.Errorf("etcd: --listen-peer-url %q: %w", *peerURL, err)
	}

	config := embed.NewConfig()
	config.Name = "testcluster"
	config.Dir = *dataDir
	config.ListenClientUrls = []url.URL{*client}
	config.AdvertiseClientUrls = []url.URL{*client}
	config.ListenPeerUrls = []url.URL{*peer}
	config.AdvertisePeerUrls = []url.URL{*peer}
	config.InitialCluster = config.InitialClusterFromName(config.Name)
	config.LogLevel = "warn"
	// A test cluster's data is disposable: skipping fsync keeps a shared 2-core machine's disk out of
	// every write's latency.
	config.UnsafeNoFsync = true

	server, err := embed.StartEtcd(config)
	if err != nil {
		return fmt.Errorf("etcd: start: %w", err)
	}
	defer server.Close()
	select {
	case <-server.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		return errors.New("etcd: not ready after 60s")
	}
	fmt.Fprintf(os.Stderr, "etcd ready on %s\n", client)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-server.Err():
		return fmt.Errorf("etcd: %w", err)
	case <-signals:
		return nil
	}
}
