/**
 * Requests Node's HTTP parser refuses before any app code runs. The common one: raw UTF-8 in
 * the request line (`curl "…/products?q=笔"` sends the bytes of 笔 unencoded; HTTP allows only
 * ASCII there, so llhttp answers a bare `400 Bad Request` with no body). This gives those
 * clients a problem+json that says to percent-encode, instead of silence.
 *
 * Node only (Workers receive requests already parsed): src/server.ts attaches it with
 * `server.on('clientError', answerClientError)`. Structurally typed so src/api imports nothing
 * from Node.
 */
import { problem } from './problem.js';

/** The socket side of the 'clientError' event that this needs. */
export interface ClientErrorSocket {
  writable: boolean;
  end(data?: string): void;
  destroy(): void;
}

/** The raw HTTP response for a request the parser refused (code HPE_…), as text. */
export function clientErrorResponse(err: { code?: string }): string {
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const p = tooLarge
    ? problem('payload_too_large', '请求头太大：请检查 Authorization 等请求头是否写错（例如重复粘贴了令牌）。', '')
    : problem(
        'malformed_request',
        '请求无法解析（HTTP 格式不对）。最常见的原因：网址里直接写了中文或空格——要先做百分号编码（URL 编码），例如 ?q=%E7%AC%94 表示「笔」；curl 可以写 curl -G "$BASE/products" --data-urlencode "q=笔"。',
        '',
      );
  const body = JSON.stringify({ ...p, instance: undefined });
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  return `HTTP/1.1 ${status}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\nConnection: close\r\n\r\n${body}`;
}

/** Node http.Server 'clientError' listener: answer a parser refusal with problem+json, then close. */
export function answerClientError(err: Error & { code?: string }, socket: ClientErrorSocket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(err));
}
