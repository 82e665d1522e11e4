import { errors, jwtVerify, SignJWT } from 'jose';

const ISSUER = 'pakati';
const AUDIENCE = 'pakati-web-session';

/**
 * Web sessions are HS256 JWTs naming the API key they act for. The browser's cookie then holds a token that
 * expires and cannot be replayed as an API key; revoking or expiring the key still ends the session, because
 * every request loads the key.
 */
export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(apiKeyId: string, expiresAt: Date): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(apiKeyId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
  }

  /** The key id of a valid, unexpired token; null for anything else (tampered, expired, not ours). */
  async verify(token: string): Promise<{ apiKeyId: string; expiresAt: Date } | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      if (!payload.sub || !payload.exp) return null;
      return { apiKeyId: payload.sub, expiresAt: new Date(payload.exp * 1000) };
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }
}

export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
