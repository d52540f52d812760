/**
 * Field encryption for sensitive partner data (bank account, ID number, contact phone):
 * AES-256-GCM through WebCrypto, so Node and Workers share it. The key comes from the
 * environment (`FIELD_ENCRYPTION_KEY`: 32 bytes, base64); the database only ever holds
 * `v1.<iv>.<ciphertext+tag>` (base64url), so a leaked dump or backup shows no plain value.
 *
 * GCM authenticates: a tampered or foreign value fails to decrypt (FieldCryptoError) rather
 * than yielding garbage. A fresh random 96-bit IV per value (NIST SP 800-38D §8.2.2); with
 * random IVs one key is good for far more than 2^32 encryptions — beyond any SME's data.
 */

const VERSION = 'v1';

export class FieldCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldCryptoError';
  }
}

function b64urlEncode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64Decode(text: string): Uint8Array {
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export interface FieldCipher {
  encrypt(plain: string): Promise<string>;
  /** Throws FieldCryptoError for a value not made by this key (or tampered with). */
  decrypt(sealed: string): Promise<string>;
}

/**
 * A cipher from a base64 (or base64url) 32-byte key. Throws FieldCryptoError naming the
 * variable when the key is missing or not 32 bytes (start fails with that message).
 */
export async function fieldCipher(keyBase64: string | undefined, variable = 'FIELD_ENCRYPTION_KEY'): Promise<FieldCipher> {
  if (!keyBase64) throw new FieldCryptoError(`${variable} 未设置：需要 32 字节的 base64 密钥（例如 openssl rand -base64 32）。`);
  let raw: Uint8Array;
  try {
    raw = b64Decode(keyBase64.trim());
  } catch {
    throw new FieldCryptoError(`${variable} 不是 base64。请用 openssl rand -base64 32 生成。`);
  }
  if (raw.length !== 32) throw new FieldCryptoError(`${variable} 必须是 32 字节（现在是 ${raw.length} 字节）。请用 openssl rand -base64 32 生成。`);
  const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  return {
    async encrypt(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plain)));
      return `${VERSION}.${b64urlEncode(iv)}.${b64urlEncode(ct)}`;
    },
    async decrypt(sealed) {
      const [v, ivText, ctText] = sealed.split('.');
      if (v !== VERSION || !ivText || !ctText) throw new FieldCryptoError('不是加密字段的格式（v1.<iv>.<密文>）。');
      try {
        const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: b64Decode(ivText) }, key, b64Decode(ctText));
        return new TextDecoder().decode(pt);
      } catch {
        throw new FieldCryptoError('加密字段无法解密：密钥不对，或数据被改动过。');
      }
    },
  };
}
