import { describe, expect, it } from 'vitest';
import { describeCodeKind, normalizeTypedCode } from './codes';

describe('typed codes', () => {
  it('removes spaces and dashes people type in a GTIN', () => {
    expect(normalizeTypedCode(' 4 012345-000017 ')).toBe('4012345000017');
  });

  it('keeps a pasted Digital Link whole, without line breaks', () => {
    expect(normalizeTypedCode('https://id.gs1.org/01/09506000134352/10/AB\n12 ')).toBe(
      'https://id.gs1.org/01/09506000134352/10/AB12',
    );
  });

  it('turns a printed <GS> into the FNC1 group separator', () => {
    expect(normalizeTypedCode('0109506000134352<GS>10AB12')).toBe('0109506000134352\u001d10AB12');
  });

  it('names the kind of code', () => {
    expect(describeCodeKind('09506000134352')).toBe('gtin');
    expect(describeCodeKind('https://id.gs1.org/01/09506000134352')).toBe('digital_link');
    expect(describeCodeKind('(01)09506000134352(17)261231')).toBe('element_string');
    expect(describeCodeKind('hello')).toBe('unknown');
  });
});
