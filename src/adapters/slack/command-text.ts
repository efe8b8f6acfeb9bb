// A slash command's text as Slack sends it (should_escape on): `&`, `<`, `>` as entities, links and
// email addresses wrapped (`<mailto:ann@acme.com|ann@acme.com>`), people and channels as ids
// (`<@U0123|ann>`, `<#C0123|sales>`). Pulse reads what the person typed: links unwrapped to their
// text, entities decoded, mentions kept (they carry the ids roles and channels need). Pure.
const LINK = /<((?:mailto|tel|https?):[^|>]*)(?:\|([^>]*))?>/gi;

export function commandTextAsTyped(text: string): string {
  return text
    .replace(LINK, (_m, target: string, label: string | undefined) => label ?? target.replace(/^(mailto|tel):/i, ''))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
