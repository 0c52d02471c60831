import { useCallback, useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { errorSentence } from '../api/client';
import { useAuth } from '../auth/AuthProvider';
import { CameraScanner } from '../components/CameraScanner';
import { MyScans } from '../components/MyScans';
import { usePageTitle } from '../components/usePageTitle';
import { ErrorMessage, Loading } from '../components/Status';
import { normalizeTypedCode } from '../domain/codes';
import { decodeImageFile } from '../scan/decoder';
import { rememberScan } from '../scan/scanStore';

const NO_BARCODE_SENTENCE =
  "We couldn't find a barcode in that image. Try a sharper, closer photo, or type the code.";

export function ScanPage() {
  usePageTitle('Scan a product');
  const { api, user } = useAuth();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const [cameraOpen, setCameraOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const codeId = useId();
  const fileId = useId();
  const inFlight = useRef(false);

  const submit = useCallback(
    async (raw: string) => {
      const code = normalizeTypedCode(raw);
      if (!code) {
        setError('Type or paste a code first.');
        return;
      }
      if (inFlight.current) return;
      inFlight.current = true;
      setBusy('Looking up the product');
      setError(null);
      try {
        const result = await api.scan(code);
        const scan = { result, code, owner: user?.profile.sub ?? null };
        rememberScan(scan);
        navigate(`/scans/${result.scanId}`, { state: scan });
      } catch (e) {
        setError(errorSentence(e));
      } finally {
        inFlight.current = false;
        setBusy(null);
      }
    },
    [api, user, navigate],
  );

  const onCameraCode = useCallback(
    (code: string) => {
      setCameraOpen(false);
      void submit(code);
    },
    [submit],
  );

  async function onFile(file: File | undefined) {
    if (!file) return;
    setBusy('Reading the barcode in your image');
    setError(null);
    let code: string | null = null;
    try {
      code = await decodeImageFile(file);
    } catch {
      // e.g. the barcode reader failed to load: the same advice as an image without a barcode
    } finally {
      setBusy(null);
    }
    if (code) await submit(code);
    else setError(NO_BARCODE_SENTENCE);
  }

  function onTypedSubmit(event: FormEvent) {
    event.preventDefault();
    void submit(typed);
  }

  async function pasteFromClipboard() {
    try {
      const text = await navigator.clipboard.readText();
      setTyped(text);
      await submit(text);
    } catch {
      setError("The browser didn't let us read the clipboard. Paste into the field instead.");
    }
  }

  return (
    <div className="page scan-page">
      <h1>Scan a product</h1>
      <p className="lead">
        Point your camera at a barcode, upload a photo of one, or type the number under it.
      </p>

      <section className="card" aria-labelledby="camera-title">
        <h2 id="camera-title">Camera</h2>
        {cameraOpen ? (
          <CameraScanner onCode={onCameraCode} onClose={() => setCameraOpen(false)} />
        ) : (
          <button
            type="button"
            className="primary big"
            onClick={() => setCameraOpen(true)}
            disabled={Boolean(busy)}
          >
            Start camera
          </button>
        )}
      </section>

      <section className="card" aria-labelledby="photo-title">
        <h2 id="photo-title">Photo or image</h2>
        <label htmlFor={fileId} className="file-label">
          Choose a photo of a barcode
        </label>
        <input
          id={fileId}
          type="file"
          accept="image/*"
          disabled={Boolean(busy)}
          onChange={(e) => {
            void onFile(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </section>

      <section className="card" aria-labelledby="type-title">
        <h2 id="type-title">Type or paste a code</h2>
        <form onSubmit={onTypedSubmit} className="stack">
          <label htmlFor={codeId}>GTIN, GS1 Digital Link or element string</label>
          <input
            id={codeId}
            name="code"
            inputMode="text"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            placeholder="e.g. 4012345000016 or https://id.gs1.org/01/…"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-describedby={`${codeId}-hint`}
          />
          <p id={`${codeId}-hint`} className="small">
            The 8 to 14 digits under the barcode, a link from a QR code, or a code like
            (01)04012345000016(10)ABC.
          </p>
          <div className="row">
            <button type="submit" className="primary" disabled={Boolean(busy)}>
              Look up
            </button>
            {'clipboard' in navigator && (
              <button type="button" onClick={() => void pasteFromClipboard()} disabled={Boolean(busy)}>
                Paste a link
              </button>
            )}
          </div>
        </form>
      </section>

      {busy && <Loading label={busy} />}
      {error && <ErrorMessage sentence={error} />}

      {user && (
        <section className="card" aria-labelledby="my-scans-title">
          <h2 id="my-scans-title">My scans</h2>
          <MyScans />
        </section>
      )}
    </div>
  );
}
