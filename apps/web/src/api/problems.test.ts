import { describe, expect, it } from 'vitest';
import { problemSentence, problemSentenceWithDetail } from './problems';

describe('problem sentences', () => {
  it('a known code becomes its sentence, whatever the detail says', () => {
    expect(problemSentence({ status: 409, code: 'email_taken', detail: 'duplicate key' })).toBe(
      'An account with this email already exists. Sign in instead.',
    );
  });

  it('an unknown code falls back to the detail, as a sentence', () => {
    expect(problemSentence({ status: 422, code: 'batch_too_long', detail: 'batch has more than 20 characters' })).toBe(
      'Batch has more than 20 characters.',
    );
  });

  it('an unknown code without detail is described by its status', () => {
    expect(problemSentence({ status: 503, code: 'something_new' })).toMatch(/unavailable/);
    expect(problemSentence({ status: 403 })).toMatch(/allowed/);
    expect(problemSentence({ status: 418 })).toBe('That request could not be completed.');
  });

  it('an invalid GS1 code keeps the service detail that says what is wrong', () => {
    const sentence = problemSentenceWithDetail({ status: 400, code: 'invalid_gs1_code', detail: 'check digit should be 3' });
    expect(sentence).toBe(
      "That code isn't a valid GTIN, GS1 Digital Link or GS1 element string. Check digit should be 3.",
    );
  });

  it('a product missing from the catalog is said plainly', () => {
    expect(problemSentenceWithDetail({ status: 404, code: 'product_not_found', detail: 'GTIN 0400...' })).toBe(
      "This product isn't in the PackyTrace catalog yet.",
    );
  });
});
