// Input checks for the account forms, with messages that say what is accepted.

export function validateEndpoint(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'Enter a full URL such as https://iot.cn-shanghai.aliyuncs.com/ (or leave empty)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The endpoint must be an http:// or https:// URL';
  if (url.username || url.password) return 'Do not put credentials in the endpoint URL';
  return undefined;
}

