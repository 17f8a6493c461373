import { describe, expect, it } from 'vitest';
import { answerMemo } from '../../src/http/answer-memo.js';

const bytes = (text: string) => Buffer.from(text);

describe('answerMemo', () => {
  it('should keep an answer from its second ask, send it while the mark stands, and make it again under another mark', async () => {
    const memo = answerMemo(1_000_000);
    let made = 0;
    const make = async () => bytes(`answer ${(made += 1)}`);

    expect((await memo.answer('/list', '1', make)).toString()).toBe('answer 1');
    expect((await memo.answer('/list', '1', make)).toString()).toBe('answer 2');
    expect((await memo.answer('/list', '1', make)).toString()).toBe('answer 2');
    expect((await memo.answer('/list', '2', make)).toString()).toBe('answer 3');
    expect((await memo.answer('/list', '2', make)).toString()).toBe('answer 3');
    expect((await memo.answer('/list', '1', make)).toString()).toBe('answer 4');
    expect((await memo.answer('/other', '1', make)).toString()).toBe('answer 5');
    expect(made).toBe(5);
  });

  it('should keep nothing of keys asked once, and forget the oldest of them past its count', async () => {
    const memo = answerMemo(1_000_000_000);
    let made = 0;
    const make = async () => bytes(`answer ${(made += 1)}`);
    for (let key = 0; key <= 1_024; key += 1) await memo.answer(`/day/${key}`, '1', make);
    expect(made).toBe(1_025);

    // The oldest key was forgotten: its next ask is a first one again.
    await memo.answer('/day/0', '1', make);
    await memo.answer('/day/0', '1', make);
    expect(made).toBe(1_027);
    expect((await memo.answer('/day/0', '1', make)).toString()).toBe('answer 1027');
    // The newest was remembered: its second ask is kept.
    expect((await memo.answer('/day/1024', '1', make)).toString()).toBe('answer 1028');
    expect((await memo.answer('/day/1024', '1', make)).toString()).toBe('answer 1028');
  });

  it('should keep within its bytes, dropping the answer sent least recently', async () => {
    const memo = answerMemo(2_000);
    const big = bytes('x'.repeat(700));
    let made = 0;
    const make = async () => {
      made += 1;
      return big;
    };
    const keep = async (key: string) => {
      await memo.answer(key, '1', make);
      await memo.answer(key, '1', make);
    };
    await keep('a');
    await keep('b');
    await memo.answer('a', '1', make);
    expect(made).toBe(4);

    await keep('c');
    await memo.answer('a', '1', make);
    expect(made).toBe(6);
    await memo.answer('b', '1', make);
    expect(made).toBe(7);
  });

  it('should not keep an answer larger than its bytes', async () => {
    const memo = answerMemo(1_000);
    let made = 0;
    const make = async () => bytes('y'.repeat(1_000 + (made += 1)));
    await memo.answer('a', '1', make);
    await memo.answer('a', '1', make);
    await memo.answer('a', '1', make);
    expect(made).toBe(3);
  });

  it('should keep nothing of an answer whose making failed', async () => {
    const memo = answerMemo(1_000_000);
    await expect(memo.answer('a', '1', () => Promise.reject(new Error('database gone')))).rejects.toThrow();
    expect((await memo.answer('a', '1', async () => bytes('made'))).toString()).toBe('made');
  });
});
