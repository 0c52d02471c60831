import { InvalidGs1Code, parseGtin } from '@packytrace/gs1';
import { badRequest, type Problem } from '@packytrace/service-kit';

/** The parser's refusal as 400 `invalid_gs1_code`, keeping what it says is wrong and where. */
export function invalidGs1Code(error: InvalidGs1Code): Problem {
  return badRequest('invalid_gs1_code', error.message, {
    ...(error.position !== undefined ? { position: error.position } : {}),
    ...(error.ai !== undefined ? { ai: error.ai } : {}),
  });
}

/** A GTIN-8/12/13/14 from a path, normalised to 14 digits. */
export function gtin14From(value: string): string {
  try {
    return parseGtin(value);
  } catch (error) {
    if (error instanceof InvalidGs1Code) throw invalidGs1Code(error);
    throw error;
  }
}
