/**
 * Reading barcodes in the browser: the Shape Detection API's BarcodeDetector where the browser has
 * it (https://wicg.github.io/shape-detection-api/), otherwise ZXing. Formats: the retail barcodes
 * (EAN/UPC), GS1-128 and GS1 DataMatrix, and QR codes that carry a GS1 Digital Link.
 */
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

/**
 * Decodes the first barcode in an image file; null when none is found, and at once when the file
 * is not an image the browser can decode (createImageBitmap and HTMLImageElement.decode reject).
 */
export async function decodeImageFile(file: Blob): Promise<string | null> {
  const native = await nativeDetector();
  if (native) {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      return null; // not a decodable image: ZXing could not read it either
    }
    try {
      const [found] = await native.detect(bitmap);
      if (found) return found.rawValue;
    } catch {
      // the detector failed on this image: ZXing may still read it
    } finally {
      bitmap.close();
    }
  }
  const url = URL.createObjectURL(file);
  try {
    // Loaded here, not by ZXing: its loader waits 10 s for an image that fails to load.
    const image = new Image();
    image.src = url;
    await image.decode();
    const reader = await zxingReader();
    const result = await reader.decodeFromImageElement(image);
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

type FrameDecoder = (video: HTMLVideoElement) => Promise<string | null>;

/**
 * Starts the back camera in `video` and calls `onCode` with each code seen. One loop for both
 * engines: we own the stream and the <video>, and hand each decoder a frame every 250 ms.
 */
export async function startCameraScan(
  video: HTMLVideoElement,
  onCode: (code: string) => void,
  signal?: AbortSignal,
): Promise<CameraScan> {
  const native = await nativeDetector();
  const decode: FrameDecoder = native ? nativeFrameDecoder(native) : await zxingFrameDecoder();
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
    audio: false,
  });
  // Given up while the camera was starting (the view closed, or its effect ran again): release the
  // camera without touching the <video>, which a newer scan may already be showing.
  if (signal?.aborted) {
    stream.getTracks().forEach((track) => track.stop());
    throw signal.reason;
  }
  video.srcObject = stream;
  // Not awaited: play() can stay pending while the tab is busy; the loop reads frames once they exist.
  void video.play().catch(() => undefined);
  let running = true;
  const tick = async () => {
    if (!running) return;
    const code =
      video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA ? await decode(video).catch(() => null) : null;
    if (code && running) onCode(code);
    if (running) window.setTimeout(() => void tick(), 250);
  };
  void tick();
  return {
    engine: native ? 'BarcodeDetector' : 'ZXing',
    stop: () => {
      running = false;
      stream.getTracks().forEach((track) => track.stop());
      // Only its own stream: a scan restarted on the same <video> (an effect run again, as React's
      // StrictMode does) may have attached a newer one, and this stop must not blank it.
      if (video.srcObject === stream) video.srcObject = null;
    },
  };
}

function nativeFrameDecoder(detector: BarcodeDetectorInstance): FrameDecoder {
  return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
}

async function zxingFrameDecoder(): Promise<FrameDecoder> {
  const reader = await zxingReader();
  const canvas = document.createElement('canvas');
  return async (video) => {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d', { willReadFrequently: true })!.drawImage(video, 0, 0);
    try {
      return reader.decodeFromCanvas(canvas).getText();
    } catch {
      return null; // no barcode in this frame (ZXing throws NotFoundException)
    }
  };
}
