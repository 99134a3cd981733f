// Errors the emulated Alibaba API answers with. Two forms, as the real service has them:
// - gateway errors (credentials, common parameters, throttling, missing or malformed parameters): HTTP 4xx/5xx
//   with `{RequestId, HostId, Code, Message, Recommend}`;
// - business errors of the IoT service (`iot.*` codes): HTTP 200 with `{RequestId, Success: false, Code,
//   ErrorMessage}`.

export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    /** Business errors answer HTTP 200 with `Success: false`. */
    readonly business: boolean,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function gatewayError(httpStatus: number, code: string, message: string): ApiError {
  return new ApiError(httpStatus, code, message, false);
}

export function businessError(code: string, message: string): ApiError {
  return new ApiError(200, code, message, true);
}

export function missingParameter(name: string): ApiError {
  return gatewayError(
    400,
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

export function invalidParameter(name: string, why: string): ApiError {
  return gatewayError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid: ${why}`);
}

export function firmwareNotFound(firmwareId: string): ApiError {
  return businessError('iot.ota.FirmwareNotFound', `The firmware ${firmwareId} does not exist.`);
}

export function jobNotFound(jobId: string): ApiError {
  return businessError('iot.ota.JobNotFound', `The upgrade job ${jobId} does not exist.`);
}

export function productNotFound(productKey: string): ApiError {
  return businessError('iot.prod.NotExistedProduct', `The product ${productKey} does not exist.`);
}
