import { describe, expect, it } from 'vitest';
import { documentTitle } from './pageTitle';

describe('the document title', () => {
  it('names the screen first, then the app', () => {
    expect(documentTitle('Your fridge')).toBe('Your fridge – PackyTrace');
  });

  it('is the app name alone while the screen has no name yet', () => {
    expect(documentTitle(null)).toBe('PackyTrace');
    expect(documentTitle('  ')).toBe('PackyTrace');
  });
});
