/// <reference lib="dom" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bwipjs from 'bwip-js/node';
import type { Browser } from 'playwright-core';
import { generatedDir } from './paths';

/** GS1 check digit (GS1 General Specifications, 7.9.1): weights 3 and 1 from the right. */
export function gs1CheckDigit(digitsWithoutCheck: string): string {
  let sum = 0;
  [...digitsWithoutCheck].reverse().forEach((d, i) => (sum += Number(d) * (i % 2 === 0 ? 3 : 1)));
  return String((10 - (sum % 10)) % 10);
}

/** An EAN-13 barcode PNG for a GTIN-13 (or a GTIN-14 starting with 0). */
export async function ean13Png(gtin: string): Promise<Buffer> {
  const ean = gtin.length === 14 ? gtin.slice(1) : gtin;
  return bwipjs.toBuffer({
    bcid: 'ean13',
    text: ean,
    scale: 3,
    height: 18,
    includetext: true,
    backgroundcolor: 'FFFFFF',
    paddingwidth: 12,
    paddingheight: 12,
  });
}

/** A GS1 DataMatrix carrying GTIN, batch and expiry, as printed on fresh food (AIs 01, 10, 17). */
export async function gs1DataMatrixPng(elementString: string): Promise<Buffer> {
  return bwipjs.toBuffer({
    bcid: 'gs1datamatrix',
    text: elementString,
    scale: 6,
    backgroundcolor: 'FFFFFF',
    paddingwidth: 8,
    paddingheight: 8,
  });
}

export function saveGenerated(name: string, data: Buffer): string {
  mkdirSync(generatedDir, { recursive: true });
  const path = join(generatedDir, name);
  writeFileSync(path, data);
  return path;
}

/**
 * A short YUV4MPEG2 video of a still barcode for Chromium's fake camera. Chromium's own canvas turns
 * the PNG into pixels (no image library needed); luma by ITU-R BT.601, chroma neutral (grey image).
 */
export async function barcodeVideo(browser: Browser, png: Buffer, name: string): Promise<string> {
  const width = 640;
  const height = 480;
  const page = await browser.newPage();
  const grey = await page.evaluate(
    async ({ src, width, height }) => {
      const image = new Image();
      image.src = src;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
      const scale = Math.min((width * 0.85) / image.width, (height * 0.85) / image.height);
      const w = image.width * scale;
      const h = image.height * scale;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(image, (width - w) / 2, (height - h) / 2, w, h);
      const { data } = ctx.getImageData(0, 0, width, height);
      const luma: number[] = [];
      for (let i = 0; i < data.length; i += 4)
        luma.push(Math.round(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!));
      return luma;
    },
    { src: `data:image/png;base64,${png.toString('base64')}`, width, height },
  );
  await page.close();
  const y = Buffer.from(grey);
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  return saveGenerated(name, Buffer.concat([header, ...Array.from({ length: 10 }, () => frame)]));
}
