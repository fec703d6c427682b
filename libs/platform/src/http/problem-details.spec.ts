import { describe, expect, it } from 'vitest';
import { problem } from './problem-details.ts';

describe('problem', () => {
  it('fills type and title as RFC 9457 says', () => {
    expect(problem(404, 'No order abc')).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No order abc',
    });
  });

  it('keeps field errors and leaves out an empty list', () => {
    expect(problem(400, 'Bad', { errors: [{ field: 'email', message: 'Invalid email' }] }).errors).toHaveLength(1);
    expect(problem(400, 'Bad', { errors: [] })).not.toHaveProperty('errors');
  });
});
