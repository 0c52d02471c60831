import { useEffect, useRef, useState } from 'react';
import { startCameraScan, type CameraScan } from '../scan/decoder';

/** The live camera view; reports each code once, then stops so a result is not scanned twice. */
export function CameraScanner({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [engine, setEngine] = useState<string | null>(null);
  // The latest callback, so a new `onCode` from the parent does not restart the camera.
  const report = useRef(onCode);
  report.current = onCode;

  useEffect(() => {
    let scan: CameraScan | null = null;
    let cancelled = false;
    const starting = new AbortController();
    let reported = false;
    if (!navigator.mediaDevices?.getUserMedia) {
      setProblem("This browser can't use the camera here. Upload a photo or type the code instead.");
      return;
    }
    startCameraScan(
      video.current!,
      (code) => {
        // Decoding may report before start resolves, and again on the next frames: report once.
        if (reported || cancelled) return;
        reported = true;
        scan?.stop();
        report.current(code);
      },
      starting.signal,
    )
      .then((started) => {
        if (cancelled) started.stop();
        else {
          scan = started;
          setEngine(started.engine);
        }
      })
      .catch((error: unknown) => {
        if (!cancelled) setProblem(cameraProblem(error));
      });
    return () => {
      cancelled = true;
      starting.abort();
      scan?.stop();
    };
  }, []);

  return (
    <div className="camera">
      {problem ? (
        <p className="alert" role="alert">
          {problem}
        </p>
      ) : (
        <>
          <video ref={video} muted playsInline aria-label="Camera view: point it at a barcode" />
          <p className="small" role="status">
            {engine ? `Looking for a barcode (${engine})…` : 'Starting the camera…'}
          </p>
        </>
      )}
      <button type="button" onClick={onClose}>
        Close camera
      </button>
    </div>
  );
}

function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError')
    return 'Camera access was refused. Allow it in your browser settings, or upload a photo instead.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera was found. Upload a photo or type the code instead.';
  return "The camera couldn't start. Upload a photo or type the code instead.";
}
