// An OSS error answer: HTTP status, OSS's error code and message (sent as OSS's XML error document).
export class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
