import { describe, expect, it } from 'vitest';
import { answerMemo } from '../../src/http/answer-memo.js';

const bytes = (text: string) => Buffer.from(text);

describe('answerMemo', () => {
  it('should send the kept answer while the mark stands, and make it again under another mark', async () => {
    const memo = answerMemo(1_000_000);
    let made = 0;
    const make = async () => bytes(`answer ${(made += 1)}`);

    expect((await memo.answer('/list', '1', make)).toString()).toBe('answer 1');
    expect((await memo.answer('/list', '1', make)).toString()).toBe('answer 1');
    expect((await memo.answer('/list', '2', make)).toString()).toBe('answer 2');
    expect((await memo.answer('/list', '1', make)).toString()).toBe('answer 3');
    expect((await memo.answer('/other', '1', make)).toString()).toBe('answer 4');
    expect(made).toBe(4);
  });

  it('should keep within its bytes, dropping the answer sent least recently', async () => {
    const memo = answerMemo(2_000);
    const big = bytes('x'.repeat(700));
    let made = 0;
    const make = async () => {
      made += 1;
      return big;
    };
    await memo.answer('a', '1', make);
    await memo.answer('b', '1', make);
    await memo.answer('a', '1', make);
    expect(made).toBe(2);

    await memo.answer('c', '1', make);
    await memo.answer('a', '1', make);
    expect(made).toBe(3);
    await memo.answer('b', '1', make);
    expect(made).toBe(4);
  });

  it('should not keep an answer larger than its bytes', async () => {
    const memo = answerMemo(1_000);
    let made = 0;
    const make = async () => bytes('y'.repeat(1_000 + (made += 1)));
    await memo.answer('a', '1', make);
    await memo.answer('a', '1', make);
    expect(made).toBe(2);
  });

  it('should keep nothing of an answer whose making failed', async () => {
    const memo = answerMemo(1_000_000);
    await expect(memo.answer('a', '1', () => Promise.reject(new Error('database gone')))).rejects.toThrow();
    expect((await memo.answer('a', '1', async () => bytes('made'))).toString()).toBe('made');
  });
});
