package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// runPKI writes the certificates and keys the control plane needs into --dir, unless a complete set is
// already there (a kept data directory keeps its identities, so kubeconfigs written earlier stay valid).
//
//	ca.crt/ca.key                    the cluster CA (clients trust it; it signs everything below)
//	apiserver.crt/.key               kube-apiserver's serving certificate (127.0.0.1, kubernetes.default…)
//	kubelet.crt/.key                 the fake kubelet's serving certificate (pods/log is proxied to it)
//	apiserver-kubelet-client.crt/.key  how kube-apiserver authenticates to the kubelet
//	sa.key/sa.pub                    the ServiceAccount token signing key pair
func runPKI(args []string) error {
	flags := flag.NewFlagSet("pki", flag.ContinueOnError)
	dir := flags.String("dir", "", "directory to write into (required)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("pki: --dir is required")
	}
	if _, err := os.Stat(filepath.Join(*dir, "sa.pub")); err == nil {
		return nil
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("pki: %w", err)
	}

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTemplate := template("testcluster-ca", nil)
	caTemplate.IsCA = true
	caTemplate.BasicConstraintsValid = true
	caTemplate.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("pki: CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	if err := writeCertificate(*dir, "ca", caDER, caKey); err != nil {
		return err
	}

	loopback := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	leaves := []struct {
		name, commonName string
		organization     []string
		usage            x509.ExtKeyUsage
		dnsNames         []string
		ips              []net.IP
	}{
		{
			name: "apiserver", commonName: "kube-apiserver", usage: x509.ExtKeyUsageServerAuth,
			dnsNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
			// 10.96.0.1 is the `kubernetes` Service's ClusterIP in the range the launcher configures.
			ips: append([]net.IP{net.ParseIP("10.96.0.1")}, loopback...),
		},
		{name: "kubelet", commonName: "testcluster-kubelet", usage: x509.ExtKeyUsageServerAuth, dnsNames: []string{"localhost"}, ips: loopback},
		{name: "apiserver-kubelet-client", commonName: "kube-apiserver-kubelet-client", organization: []string{"system:masters"}, usage: x509.ExtKeyUsageClientAuth},
	}
	for _, leaf := range leaves {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		certificate := template(leaf.commonName, leaf.organization)
		certificate.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		certificate.ExtKeyUsage = []x509.ExtKeyUsage{leaf.usage}
		certificate.DNSNames = leaf.dnsNames
		certificate.IPAddresses = leaf.ips
		der, err := x509.CreateCertificate(rand.Reader, certificate, ca, &key.PublicKey, caKey)
		if err != nil {
			return fmt.Errorf("pki: %s: %w", leaf.name, err)
		}
		if err := writeCertificate(*dir, leaf.name, der, key); err != nil {
			return err
		}
	}

	// RSA, the algorithm every ServiceAccount token consumer accepts.
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(*dir, "sa.key"), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return err
	}
	saPublic, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	// Written last: its presence marks a complete set (see the check above).
	return writePEM(filepath.Join(*dir, "sa.pub"), "PUBLIC KEY", saPublic)
}

func template(commonName string, organization []string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName, Organization: organization},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
	}
}

func writeCertificate(dir, name string, der []byte, key *ecdsa.PrivateKey) error {
	if err := writePEM(filepath.Join(dir, name+".crt"), "CERTIFICATE", der); err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, name+".key"), "EC PRIVATE KEY", keyDER)
}

func writePEM(path, blockType string, der []byte) error {
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	return nil
}
