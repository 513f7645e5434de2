declare module 'apache-md5' {
  /** Apache's `$apr1$` MD5 of `password`, with the salt of `salt` (a hash to compare with) or a new one. */
  export default function md5(password: string, salt?: string): string
}
