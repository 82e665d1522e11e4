import { GraphQLRequestError } from '../lib/graphql-client';

export interface DisplayError {
  code: string;
  message: string;
}

/** Normalises anything thrown into a code + message pair for display. */
export function toDisplayError(error: unknown): DisplayError {
  if (error instanceof GraphQLRequestError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'CLIENT_ERROR', message: error.message };
  return { code: 'CLIENT_ERROR', message: String(error) };
}

export function ErrorMessage({
  error,
  testId,
  prefix,
}: {
  error: DisplayError | null;
  testId?: string;
  prefix?: string;
}) {
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid={testId} data-error-code={error.code}>
      {prefix ? <strong>{prefix} </strong> : null}
      <span className="error-message">{error.message}</span> <code className="error-code">{error.code}</code>
    </div>
  );
}
