package main

import (
	"errors"
	"os"
)

// tlsFiles reads TLS_CERT and TLS_KEY (paths of PEM files) for the `tls`
// profile. Both empty means cleartext. main hands them to Server.ServeTLS,
// as the net/http docs do; its defaults are what the contract asks for:
// TLS 1.2 and 1.3 (the server minimum is 1.2 since Go 1.22), ALPN "h2" and
// "http/1.1" from Server.Protocols, and a cleartext request on the port
// answered "HTTP/1.0 400 Bad Request" (never the API) and closed.
func tlsFiles() (cert, key string, err error) {
	cert, key = os.Getenv("TLS_CERT"), os.Getenv("TLS_KEY")
	if (cert == "") != (key == "") {
		return "", "", errors.New("set both TLS_CERT and TLS_KEY, or neither")
	}
	return cert, key, nil
}
