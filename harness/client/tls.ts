// The `tls` profile's certificates, and TLS handshakes for checks. Each run makes a throwaway CA
// and a server certificate signed by it (selfsigned, on Node's WebCrypto) in its global setup; the
// containers get the server certificate and key, the checks trust only the CA.
import tls from "node:tls";
import { X509Certificate } from "node:crypto";

export interface Pki {
  /** PEM of the CA certificate: the only root a check's client trusts. */
  ca: string;
  /** PEM of the server certificate (signed by the CA; names localhost, 127.0.0.1 and ::1). */
  cert: string;
  /** PEM (PKCS #8) of the server certificate's private key. */
  key: string;
  /** SHA-256 fingerprint of the server certificate, as node:tls reports a peer's. */
  fingerprint256: string;
}

/** What a client needs to trust the server: the CA, and the name the certificate carries. */
export interface TlsTrust {
  ca: string;
  /** Checked against the certificate whatever host the container is reached at (SNI too). */
  servername: string;
}

const SERVERNAME = "localhost";
const DAY = 24 * 3600_000;

/** A throwaway CA and a server certificate signed by it, valid for a day. */
export async function makePki(): Promise<Pki> {
  const { generate } = await import("selfsigned"); // only the global setup needs it, not the workers
  const validity = { notBeforeDate: new Date(Date.now() - 3600_000), notAfterDate: new Date(Date.now() + DAY) };
  const ca = await generate([{ name: "commonName", value: "crud-conformance throwaway CA" }], {
    ...validity,
    keyType: "ec",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: "commonName", value: SERVERNAME }], {
    ...validity,
    keyType: "ec",
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: SERVERNAME },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { ca: ca.cert, cert: server.cert, key: server.private, fingerprint256: new X509Certificate(server.cert).fingerprint256 };
}

export const trustOf = (p: Pki): TlsTrust => ({ ca: p.ca, servername: SERVERNAME });

export interface Handshake {
  /** "TLSv1.2", "TLSv1.3", or undefined when the handshake failed. */
  protocol?: string;
  /** The ALPN protocol the server selected, or false. */
  alpn?: string | false;
  /** The chain verified against the trusted CA and the name matched. */
  authorized: boolean;
  authorizationError?: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint256?: string;
  /** Why the handshake failed, when it did. */
  error?: string;
}

/**
 * One TLS handshake with the server at `baseUrl`, trusting only `trust.ca`; never throws. The
 * chain is verified but not enforced, so a check can say what was wrong with it.
 */
export function handshake(baseUrl: string, trust: TlsTrust, options: tls.ConnectionOptions = {}): Promise<Handshake> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ...trust, rejectUnauthorized: false, ...options }, () => {
      resolve({
        protocol: socket.getProtocol() ?? undefined,
        alpn: socket.alpnProtocol ?? false,
        authorized: socket.authorized,
        ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
        fingerprint256: socket.getPeerCertificate().fingerprint256,
      });
      socket.destroy();
    });
    socket.setTimeout(5000, () => socket.destroy(new Error("no TLS handshake within 5 s")));
    // OpenSSL's messages carry its internals; its reason ("tlsv1 alert protocol version") is enough.
    socket.on("error", (e: NodeJS.ErrnoException & { reason?: string }) =>
      resolve({ authorized: false, error: e.code ? `${e.code} (${e.reason ?? e.message})` : e.message }),
    );
  });
}
