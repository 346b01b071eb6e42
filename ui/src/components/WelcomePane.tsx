export default function WelcomePane() {
  return (
    <div className="welcome">
      <div className="welcome-mark" aria-hidden="true">
        GK
      </div>
      <h2>GK Chat for desktop</h2>
      <p>Send and receive messages from your computer. Pick a chat on the left to start.</p>
    </div>
  );
}
