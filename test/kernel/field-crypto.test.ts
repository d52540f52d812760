/** AES-GCM field encryption: round trip, fresh IV per value, tamper and wrong-key detection, key checks. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fieldCipher, FieldCryptoError } from '../../src/kernel/field-crypto.js';

const keyOf = (byte: number) => Buffer.alloc(32, byte).toString('base64');

describe('field encryption', () => {
  it('round-trips any text and never stores it in the clear', async () => {
    const c = await fieldCipher(keyOf(7));
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }), async (plain) => {
        const sealed = await c.encrypt(plain);
        expect(sealed.startsWith('v1.')).toBe(true);
        expect(sealed.includes(plain) && plain.length > 3).toBe(false);
        expect(await c.decrypt(sealed)).toBe(plain);
      }),
      { numRuns: 50 },
    );
  });

  it('uses a fresh IV: the same value encrypts differently each time', async () => {
    const c = await fieldCipher(keyOf(1));
    const [a, b] = [await c.encrypt('6222 0000 1111 2222'), await c.encrypt('6222 0000 1111 2222')];
    expect(a).not.toBe(b);
  });

  it('refuses a tampered value and a value sealed with another key', async () => {
    const c = await fieldCipher(keyOf(1));
    const sealed = await c.encrypt('招商银行 6222');
    const [v, iv, ct] = sealed.split('.');
    const bytes = Buffer.from(ct, 'base64url');
    bytes[0] ^= 1; // one bit of the ciphertext
    const flipped = `${v}.${iv}.${bytes.toString('base64url')}`;
    await expect(c.decrypt(flipped)).rejects.toThrow(FieldCryptoError);
    await expect((await fieldCipher(keyOf(2))).decrypt(sealed)).rejects.toThrow(/密钥不对/);
    await expect(c.decrypt('plain text')).rejects.toThrow(FieldCryptoError);
  });

  it('refuses a missing or short key with the variable name and how to make one', async () => {
    await expect(fieldCipher(undefined)).rejects.toThrow(/FIELD_ENCRYPTION_KEY 未设置/);
    await expect(fieldCipher(Buffer.alloc(16).toString('base64'))).rejects.toThrow(/32 字节（现在是 16 字节）/);
  });
});
