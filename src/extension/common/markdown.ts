// Text from devices and clouds shown in markdown (tooltips) is escaped so it is never read as markup.
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&').replace(/\r?\n/g, ' ');
}
