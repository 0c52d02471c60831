/**
 * Reading barcodes in the browser: the Shape Detection API's BarcodeDetector where the browser has
 * it (https://wicg.github.io/shape-detection-api/), otherwise ZXing. Formats: the retail barcodes
 * (EAN/UPC), GS1-128 and GS1 DataMatrix, and QR codes that carry a GS1 Digital Link.
 */
import type { IScannerControls } from '@zxing/browser';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorInstance {
  detect(source: ImageBitmapSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options?: { formats?: string[] }): BarcodeDetectorInstance;
  getSupportedFormats(): Promise<string[]>;
}

const WANTED_FORMATS = ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128', 'data_matrix', 'qr_code'];

async function nativeDetector(): Promise<BarcodeDetectorInstance | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const supported = await Detector.getSupportedFormats();
    const formats = WANTED_FORMATS.filter((f) => supported.includes(f));
    return formats.length ? new Detector({ formats }) : null;
  } catch {
    return null;
  }
}

async function zxingReader() {
  // Loaded on demand: most of the app's weight, and not needed where BarcodeDetector works.
  const { BrowserMultiFormatReader } = await import('@zxing/browser');
  return new BrowserMultiFormatReader();
}

/** Decodes the first barcode in an image file; null when none is found. */
export async function decodeImageFile(file: Blob): Promise<string | null> {
  const native = await nativeDetector();
  if (native) {
    const bitmap = await createImageBitmap(file);
    const [found] = await native.detect(bitmap);
    bitmap.close();
    if (found) return found.rawValue;
  }
  const url = URL.createObjectURL(file);
  try {
    const reader = await zxingReader();
    const result = await reader.decodeFromImageUrl(url);
    return result.getText();
  } catch {
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export interface CameraScan {
  stop(): void;
  engine: 'BarcodeDetector' | 'ZXing';
}

/** Starts the back camera in `video` and calls `onCode` once per distinct code seen. */
export async function startCameraScan(video: HTMLVideoElement, onCode: (code: string) => void): Promise<CameraScan> {
  const native = await nativeDetector();
  if (native) return startNative(video, native, onCode);
  const reader = await zxingReader();
  const controls: IScannerControls = await reader.decodeFromConstraints(
    { video: { facingMode: 'environment' }, audio: false },
    video,
    (result) => {
      if (result) onCode(result.getText());
    },
  );
  return { stop: () => controls.stop(), engine: 'ZXing' };
}

async function startNative(video: HTMLVideoElement, detector: BarcodeDetectorInstance, onCode: (code: string) => void): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  await video.play();
  let running = true;
  const tick = async () => {
    if (!running) return;
    try {
      const [found] = await detector.detect(video);
      if (found) onCode(found.rawValue);
    } catch {
      // A frame that is not ready yet; the next one will do.
    }
    if (running) window.setTimeout(() => void tick(), 200);
  };
  void tick();
  return {
    engine: 'BarcodeDetector',
    stop: () => {
      running = false;
      stream.getTracks().forEach((track) => track.stop());
      video.srcObject = null;
    },
  };
}
