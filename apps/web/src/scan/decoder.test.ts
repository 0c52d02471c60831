import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeImageFile } from './decoder';

/** A BarcodeDetector (Shape Detection API) that finds `found`, or nothing. */
function stubDetector(found: string | null) {
  vi.stubGlobal(
    'BarcodeDetector',
    class {
      static getSupportedFormats = async () => ['ean_13', 'qr_code'];
      detect = async () => (found ? [{ rawValue: found }] : []);
    },
  );
}

describe('decoding a barcode photo', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('answers "no barcode" for a file the browser cannot decode as an image, instead of failing', async () => {
    stubDetector('4012345000016');
    vi.stubGlobal('createImageBitmap', () =>
      Promise.reject(new DOMException('The source image could not be decoded.', 'InvalidStateError')),
    );
    await expect(decodeImageFile(new Blob(['not an image']))).resolves.toBeNull();
  });

  it('reads the code with the browser detector and releases the bitmap', async () => {
    stubDetector('4012345000016');
    const close = vi.fn();
    vi.stubGlobal('createImageBitmap', async () => ({ close }));
    await expect(decodeImageFile(new Blob(['png']))).resolves.toBe('4012345000016');
    expect(close).toHaveBeenCalledOnce();
  });
});
