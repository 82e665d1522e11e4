export { backendFetch, errorFromResponse, parseRetryAfter } from './http-errors.ts';
export { decodeImage, encodeMaskPng, encodePng, resizeRaster } from './image-codec.ts';
