import { CardVault, isValidCardNumber, luhnCheckDigit, maskCardNumber, newCardKeys, newCardNumber } from './card-numbers';

describe('card numbers', () => {
  it('when the payload is a known Luhn example, then the check digit matches it', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook 79927398713
    expect(isValidCardNumber('4539578763621486')).toBe(true);
    expect(isValidCardNumber('4539578763621487')).toBe(false);
  });

  it('when numbers are generated, then each has 16 digits, the IIN and a valid check digit', () => {
    for (let i = 0; i < 200; i += 1) {
      const number = newCardNumber('707070');
      expect(number).toMatch(/^707070[0-9]{10}$/);
      expect(isValidCardNumber(number)).toBe(true);
    }
  });

  it('when a number is masked, then only its first 6 and last 4 digits show', () => {
    expect(maskCardNumber('7070701234564321')).toBe('707070******4321');
  });

  it('when a number is sealed, then only the vault keys open it and the hash is stable', () => {
    const vault = new CardVault(newCardKeys(), '707070');
    const sealed = vault.encrypt('7070701234564321');
    expect(sealed).not.toContain('7070701234564321');
    expect(vault.decrypt(sealed)).toBe('7070701234564321');
    expect(vault.lookupHash('7070701234564321')).toBe(vault.lookupHash('7070701234564321'));
    const other = new CardVault(newCardKeys(), '707070');
    expect(() => other.decrypt(sealed)).toThrow();
    expect(other.lookupHash('7070701234564321')).not.toBe(vault.lookupHash('7070701234564321'));
  });

  it('when another secret is hashed, then it is stable, keyed, tied to its owner and never the hash of the same digits as a card number', () => {
    const vault = new CardVault(newCardKeys(), '707070');
    const hash = vault.secretHash('driver-code', 'drv_1', '482915');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(vault.secretHash('driver-code', 'drv_1', '482915')).toBe(hash);
    expect(vault.secretHash('driver-code', 'drv_2', '482915')).not.toBe(hash);
    expect(vault.lookupHash('482915')).not.toBe(hash);
    expect(new CardVault(newCardKeys(), '707070').secretHash('driver-code', 'drv_1', '482915')).not.toBe(hash);
  });
});
