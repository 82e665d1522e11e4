/** `pk_abc_`, `pk_abc` and `abc` all name the key with prefix `abc`. */
export function bareKeyPrefix(text: string): string {
  return text.replace(/^pk_/, '').replace(/_$/, '');
}
