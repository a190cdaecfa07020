// A modal dialog on the platform's <dialog>: focus is kept inside, Escape cancels.
import { type ReactNode, useEffect, useLayoutEffect, useRef } from 'react';

export interface ModalProps {
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
  className?: string;
}

export function Modal({ title, onClose, children, testId, className }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  useLayoutEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const cancel = (event: Event) => {
      event.preventDefault();
      close.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
    };
  }, []);
  return (
    <dialog ref={ref} className={className ? `modal ${className}` : 'modal'} aria-labelledby="modal-title" data-testid={testId}>
      <h2 id="modal-title">{title}</h2>
      {children}
    </dialog>
  );
}
