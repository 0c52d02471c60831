/** Where in the input a refusal was found; both optional because some refusals concern the whole code. */
export interface Gs1CodeLocation {
  position?: number;
  ai?: string;
}

/**
 * The only error the GS1 parsers throw. `code` is the stable problem+json code used by the API
 * (`400 invalid_gs1_code`); `message` says what is wrong, `position` is a 0-based index into the
 * input and `ai` the Application Identifier concerned, when known.
 */
export class InvalidGs1Code extends Error {
  readonly code = 'invalid_gs1_code';
  position?: number;
  ai?: string;

  constructor(detail: string, location: Gs1CodeLocation = {}) {
    super(location.position === undefined ? detail : `${detail} at position ${location.position}`);
    this.name = 'InvalidGs1Code';
    if (location.position !== undefined) this.position = location.position;
    if (location.ai !== undefined) this.ai = location.ai;
  }
}
