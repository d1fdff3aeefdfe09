import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { addTags, TagInput } from './tag-input.tsx';

afterEach(cleanup);

function Harness({ known = [] as string[] }) {
  const [state, setState] = useState({ tags: ['Family'], text: '' });
  return (
    <>
      <TagInput tags={state.tags} text={state.text} known={known} onChange={(tags, text) => setState({ tags, text })} />
      <output>{JSON.stringify(state)}</output>
    </>
  );
}
const state = () => JSON.parse(document.querySelector('output')!.textContent!) as { tags: string[]; text: string };

describe('TagInput', () => {
  it('addTags keeps the case typed first and drops a second spelling', () => {
    expect(addTags(['Family'], ' family, Book Club ,, book club,Work')).toEqual(['Family', 'Book Club', 'Work']);
  });

  it('a comma or Enter makes a chip; Backspace in the empty box removes the last; × removes one', () => {
    render(<Harness />);
    const input = screen.getByLabelText('Tags');
    fireEvent.input(input, { target: { value: 'Work, cli' } });
    expect(state()).toEqual({ tags: ['Family', 'Work'], text: 'cli' });
    fireEvent.input(input, { target: { value: 'Clients' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(state()).toEqual({ tags: ['Family', 'Work', 'Clients'], text: '' });
    fireEvent.keyDown(input, { key: 'Backspace' });
    expect(state().tags).toEqual(['Family', 'Work']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove tag Family' }));
    expect(state().tags).toEqual(['Work']);
  });

  it('offers the tags the person already uses, except those already on the contact', () => {
    render(<Harness known={['family', 'Neighbours', 'Team']} />);
    expect([...document.querySelectorAll('datalist option')].map((o) => o.getAttribute('value'))).toEqual(['Neighbours', 'Team']);
  });
});
