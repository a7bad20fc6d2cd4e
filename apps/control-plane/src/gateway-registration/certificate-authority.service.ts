/**
 * The control plane's certificate authority: one ECDSA P-256 CA shared by every control-plane
 * replica (the single CertificateAuthority row, private key sealed with SecretBox). It signs
 * gateway client certificates at registration and each replica's gRPC sync server certificate,
 * so gateways and control planes trust each other through this one root.
 *
 * Issued certificates start an hour in the past, so a peer whose clock lags a little does not
 * see a fresh certificate as not yet valid.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API
// before the library loads.
import 'reflect-metadata';
import { createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import * as x509 from '@peculiar/x509';
import type { ErrorDetail } from '../common/domain-error.js';
import { SecretBox } from '../common/secret-box.js';
import { validationError } from '../common/validation.js';
import { ENV, type Env } from '../config/env.js';
import { certificateFingerprint, type GatewayIdentity, gatewaySpiffeId } from './gateway-identity.js';
import { GatewayRegistrationRepository } from './gateway-registration.repository.js';

const crypto = webcrypto;
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_NAME = 'Portico gateway CA';
const CA_YEARS = 10;
const SERVER_CERT_DAYS = 365;
const BACKDATE_MS = 3600_000;
const DAY_MS = 86_400_000;
/** Curves / RSA sizes accepted in a CSR; anything weaker is refused. */
const ACCEPTED_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const MIN_RSA_BITS = 2048;
/** A DNS name, optionally a wildcard (`*.portico.internal`). */
const DNS_NAME = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export interface IssuedGatewayCertificate {
  certificatePem: string;
  /** as `X509Certificate.serialNumber` prints it */
  serialNumber: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

interface Authority {
  certificate: x509.X509Certificate;
  certificatePem: string;
  privateKey: webcrypto.CryptoKey;
}

@Injectable()
export class CertificateAuthorityService implements OnModuleInit {
  private readonly logger = new Logger('CertificateAuthority');
  private authority?: Authority;

  constructor(
    private readonly repo: GatewayRegistrationRepository,
    private readonly secrets: SecretBox,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * Loads the CA, creating it on first start. Control planes starting together on an empty
   * database each generate one and insert it with the fixed id; the losers read the winner's.
   * Every control plane on one database needs the same PORTICO_SECRET_KEY (or secret.key): with
   * another one the CA key cannot be unsealed and the control plane refuses to start.
   */
  async onModuleInit(): Promise<void> {
    const row = (await this.repo.findAuthority()) ?? (await this.createAuthority());
    const pkcs8 = x509.PemConverter.decodeFirst(this.secrets.open(row.privateKeySealed));
    this.authority = {
      certificate: new x509.X509Certificate(row.certificatePem),
      certificatePem: row.certificatePem,
      privateKey: await crypto.subtle.importKey('pkcs8', pkcs8, ALGORITHM, false, ['sign']),
    };
  }

  /** The CA certificate (PEM) gateways and control planes trust. */
  caCertificatePem(): string {
    return this.requireAuthority().certificatePem;
  }

  /**
   * A fresh key and certificate for this replica's gRPC sync server: serverAuth, valid for a
   * year, with SANs for `hostnames` (IP addresses as IP SANs) plus `localhost` and `127.0.0.1`.
   */
  async issueServerCertificate(hostnames: string[]): Promise<{ certificatePem: string; privateKeyPem: string }> {
    const names = [...new Set([...hostnames.map((h) => h.trim()).filter(Boolean), 'localhost', '127.0.0.1'])];
    const bad = names.find((name) => !isIP(name) && !DNS_NAME.test(name));
    if (bad !== undefined) {
      throw new Error(`not a DNS name or IP address for the sync server certificate: ${JSON.stringify(bad)}`);
    }
    const keys = await newKeyPair();
    const now = wholeSeconds(Date.now());
    const certificatePem = await this.sign({
      name: 'Portico sync server',
      publicKey: keys.publicKey,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + SERVER_CERT_DAYS * DAY_MS),
      usage: x509.ExtendedKeyUsage.serverAuth,
      altNames: names.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value })),
    });
    return { certificatePem, privateKeyPem: await pkcs8Pem(keys.privateKey) };
  }

  /**
   * Issues a gateway client certificate for the key in `csrPem`. Only the key is taken from the
   * request: its signature must verify (proof the requester holds the key), and the subject and
   * SANs it asks for are ignored. The certificate names the gateway (CN) and carries its identity
   * (SAN URI, see gateway-identity.ts), is for clientAuth only and lives
   * PORTICO_GATEWAY_CERT_TTL_DAYS.
   *
   * @throws DomainError VALIDATION_FAILED naming `body.csr` for a request that is not a PEM
   *   CSR, does not verify, or holds a weak or unsupported key
   */
  async signGatewayCertificate(csrPem: string, identity: GatewayIdentity & { name: string }): Promise<IssuedGatewayCertificate> {
    const csr = await verifiedCsr(csrPem);
    const now = wholeSeconds(Date.now());
    const notBefore = new Date(now - BACKDATE_MS);
    const notAfter = new Date(now + this.env.PORTICO_GATEWAY_CERT_TTL_DAYS * DAY_MS);
    const certificatePem = await this.sign({
      name: identity.name,
      publicKey: csr.publicKey,
      notBefore,
      notAfter,
      usage: x509.ExtendedKeyUsage.clientAuth,
      altNames: [{ type: 'url', value: gatewaySpiffeId(identity) }],
    });
    // Read back the way every consumer (sync server, parseGatewayIdentity) reads it, so lookups agree.
    const issued = new X509Certificate(certificatePem);
    return {
      certificatePem,
      serialNumber: issued.serialNumber,
      fingerprintSha256: certificateFingerprint(issued),
      notBefore,
      notAfter,
    };
  }

  private async createAuthority() {
    const keys = await newKeyPair();
    const now = wholeSeconds(Date.now());
    const notAfter = new Date(now);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomSerial(),
        name: [{ CN: [CA_NAME] }],
        keys,
        signingAlgorithm: ALGORITHM,
        notBefore: new Date(now - BACKDATE_MS),
        notAfter,
        extensions: [
          // pathLen 0: this CA signs end-entity certificates only
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    const inserted = await this.repo.insertAuthority({
      certificatePem: `${certificate.toString('pem')}\n`,
      privateKeySealed: this.secrets.seal(await pkcs8Pem(keys.privateKey)),
    });
    if (inserted) {
      this.logger.log(`created the gateway CA (serial ${certificate.serialNumber})`);
      return inserted;
    }
    const winner = await this.repo.findAuthority();
    if (!winner) throw new Error('the CertificateAuthority row vanished while starting');
    return winner;
  }

  private async sign(params: {
    name: string;
    publicKey: x509.PublicKeyType;
    notBefore: Date;
    notAfter: Date;
    usage: x509.ExtendedKeyUsage;
    altNames: x509.JsonGeneralName[];
  }): Promise<string> {
    const authority = this.requireAuthority();
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerial(),
        subject: [{ CN: [params.name] }],
        issuer: authority.certificate.subjectName,
        notBefore: params.notBefore,
        notAfter: params.notAfter,
        publicKey: params.publicKey,
        signingKey: authority.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([params.usage], false),
          new x509.SubjectAlternativeNameExtension(params.altNames, false),
          await x509.AuthorityKeyIdentifierExtension.create(authority.certificate.publicKey, false, crypto),
          await x509.SubjectKeyIdentifierExtension.create(params.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    return `${certificate.toString('pem')}\n`;
  }

  private requireAuthority(): Authority {
    if (!this.authority) throw new Error('CertificateAuthorityService used before module init');
    return this.authority;
  }
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`;
}

/**
 * 16 random bytes as hex. The top bit is cleared (DER integers are signed) and the next one set,
 * so the serial encodes in exactly 16 bytes and prints the same everywhere.
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40;
  return bytes.toString('hex').toUpperCase();
}

/** X.509 times have whole seconds; rounding first makes the stored dates equal the certificate's. */
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function csrError(message: string): Error {
  const detail: ErrorDetail = { path: '/body/csr', message, errorCode: 'csr.validation' };
  return validationError([detail]);
}

async function verifiedCsr(pem: string): Promise<x509.Pkcs10CertificateRequest> {
  if (!/^\s*-----BEGIN CERTIFICATE REQUEST-----/.test(pem)) {
    throw csrError('must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw csrError('is not a well-formed PKCS#10 certificate request');
  }
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    throw csrError('holds a public key that cannot be read');
  }
  const details = key.asymmetricKeyDetails ?? {};
  const accepted =
    (key.asymmetricKeyType === 'ec' && ACCEPTED_CURVES.has(details.namedCurve ?? '')) ||
    (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_BITS);
  if (!accepted) throw csrError(`must hold an ECDSA P-256/P-384/P-521 or RSA ${MIN_RSA_BITS}+ bit key`);
  const verified = await csr.verify(crypto).catch(() => false);
  if (!verified) throw csrError('signature does not verify against its public key');
  return csr;
}
