package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
)

// tlsFromEnv loads TLS_CERT and TLS_KEY (PEM files) for the `tls` profile.
// It returns nil when neither is set: the server then speaks cleartext.
func tlsFromEnv() (*tls.Config, error) {
	certFile, keyFile := os.Getenv("TLS_CERT"), os.Getenv("TLS_KEY")
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, fmt.Errorf("set both TLS_CERT and TLS_KEY, or neither")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS_CERT=%s TLS_KEY=%s: %w", certFile, keyFile, err)
	}
	// ServeTLS adds "h2" and "http/1.1" to NextProtos from Server.Protocols.
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// handshakeOnly drops a connection whose first byte is not a TLS handshake
// record (content type 22, RFC 8446 §5.1). Without it net/http answers a
// cleartext request on the TLS port with "HTTP/1.0 400 Bad Request"; the
// contract wants no HTTP answer at all.
type handshakeOnly struct{ net.Listener }

func (l handshakeOnly) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &firstByteConn{Conn: c}, nil
}

type firstByteConn struct {
	net.Conn
	seen bool // only read by the connection's own goroutine
}

func (c *firstByteConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.seen && n > 0 {
		c.seen = true
		if p[0] != 22 {
			_ = c.Conn.Close()
			return 0, io.EOF
		}
	}
	return n, err
}
