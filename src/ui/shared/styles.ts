import { css } from 'lit';

/** Styles shared by every component: touch-sized controls, visible focus, the colour tokens. */
export const sharedStyles = css`
  :host {
    display: block;
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  select,
  input {
    font: inherit;
    min-height: 44px;
    border-radius: 8px;
    border: 1px solid var(--td-border, #8a8f98);
    padding: 0 0.9rem;
    background: var(--td-surface, #fff);
    color: inherit;
  }
  select {
    max-width: 100%;
    text-overflow: ellipsis;
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-height: 0;
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    padding: 0;
    accent-color: var(--td-accent, #b3261e);
  }
  /* A checkbox with its label: the label is the 44 px touch target. */
  label.check {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
    min-width: 44px;
    cursor: pointer;
  }
  button {
    cursor: pointer;
    min-width: 44px;
  }
  button.primary {
    background: var(--td-accent, #b3261e);
    border-color: var(--td-accent, #b3261e);
    color: #fff;
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  :is(button, select, input, [tabindex]):focus-visible {
    outline: 3px solid var(--td-focus, #1a73e8);
    outline-offset: 2px;
  }
  .error {
    color: var(--td-error, #b3261e);
    font-weight: 600;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
